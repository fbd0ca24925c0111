import type { Kysely } from 'kysely';
import type { AuditEntry, AuditRecord } from '../domain/audit-entry.js';
import type { Database } from './schema.js';

export type { AuditEntry, AuditRecord } from '../domain/audit-entry.js';

/** Every approve, deny, check-in, call and sign-in lands here, refusals too. */
export class AuditLog {
  constructor(private readonly db: Kysely<Database>) {}

  async record(e: AuditEntry, trx: Kysely<Database> = this.db): Promise<void> {
    await trx
      .insertInto('audit_log')
      .values({ at: e.at, actor_id: e.actorId, action: e.action, subject: e.subject, outcome: e.outcome, detail: JSON.stringify(e.detail ?? {}), ip: e.ip ?? null })
      .execute();
  }

  /** The latest entries, newest first (of one subject, if given). */
  async recent(limit = 100, subject?: string): Promise<AuditRecord[]> {
    let q = this.db.selectFrom('audit_log').selectAll().orderBy('id', 'desc').limit(limit);
    if (subject) q = q.where('subject', '=', subject);
    const rows = await q.execute();
    return rows.map((r) => ({
      id: Number(r.id),
      at: Number(r.at),
      actorId: r.actor_id,
      action: r.action,
      subject: r.subject,
      outcome: r.outcome as AuditRecord['outcome'],
      detail: JSON.parse(r.detail) as Record<string, unknown>,
      ip: r.ip,
    }));
  }
}
