import type { Kysely } from 'kysely';
import type { Database } from './schema.js';

export interface AuditEntry {
  at: number;
  actorId: string | null;
  action: string;
  subject: string;
  outcome: 'ok' | 'refused';
  detail?: Record<string, unknown>;
  ip?: string | null;
}

/** Every approve, deny, check-in, call and sign-in lands here, refusals too. */
export class AuditLog {
  constructor(private readonly db: Kysely<Database>) {}

  async record(e: AuditEntry, trx: Kysely<Database> = this.db): Promise<void> {
    await trx
      .insertInto('audit_log')
      .values({ at: e.at, actor_id: e.actorId, action: e.action, subject: e.subject, outcome: e.outcome, detail: JSON.stringify(e.detail ?? {}), ip: e.ip ?? null })
      .execute();
  }

  async recent(limit = 100, subject?: string) {
    let q = this.db.selectFrom('audit_log').selectAll().orderBy('id', 'desc').limit(limit);
    if (subject) q = q.where('subject', '=', subject);
    const rows = await q.execute();
    return rows.map((r) => ({ ...r, detail: JSON.parse(r.detail) as Record<string, unknown> }));
  }
}
