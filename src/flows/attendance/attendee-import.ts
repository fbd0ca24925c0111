import { sha256 } from '../../auth/secrets.js';
import { planImport, readHeader, type ImportedAttendee, type ImportReport } from '../../domain/attendee-row.js';
import type { Clock } from '../../domain/clock.js';
import { AppError } from '../../domain/errors.js';
import { randomToken, randomUuid, type Random } from '../../domain/random.js';
import { ImportRaced, type AttendeeBatch, type AttendeeBatchWrite } from '../../store/attendee-batch.js';
import type { AttendeesRepo } from '../../store/attendees.js';
import type { AuditLog } from '../../store/audit-log.js';
import type { EventsRepo } from '../../store/events.js';
import type { CheckinLive } from '../checkin/checkin-live.js';
import { readCsv } from './csv-read.js';
import type { PassLinks } from '../events/pass-links.js';

export interface AttendeeImportDeps {
  events: EventsRepo;
  attendees: AttendeesRepo;
  batch: AttendeeBatch;
  audit: AuditLog;
  channels: CheckinLive;
  clock: Clock;
  random: Random;
  publicUrl: string;
  /** Keeps each new link readable, so it can be mailed and exported again (events/pass-links.ts). */
  passLinks: PassLinks;
}

export interface ImportOptions {
  /** Update the live attendee with a matching email instead of refusing the row. */
  upsert: boolean;
  /** Check everything, write nothing. */
  dryRun: boolean;
  /** Also register every imported row for this session of the event. */
  sessionId?: string | undefined;
}

const MAX_IMPORT_ROWS = 10_000;
const MAX_REPORTED_ERRORS = 1000;
/** Imports of one event that raced this one are rare; after this many fresh plans, give up. */
const MAX_PLANS = 3;

/**
 * Attendees from a CSV file. Every row is checked first (domain/attendee-row);
 * then the good rows are written in one transaction, with their registrations
 * and the audit entry, so a crash leaves either all of them or none. Bad rows
 * are reported, never written, and never stop the good ones.
 *
 * An upsert updates the name and adds the listed sessions; it never removes
 * a registration (revoke those one by one).
 */
export class AttendeeImport {
  constructor(private readonly d: AttendeeImportDeps) {}

  async run(by: string, eventId: string, file: Uint8Array, o: ImportOptions): Promise<ImportReport> {
    for (let plan = 1; ; plan++) {
      try {
        return await this.planAndWrite(by, eventId, file, o);
      } catch (err) {
        if (!(err instanceof ImportRaced)) throw err;
        if (plan >= MAX_PLANS) throw new AppError('conflict', 'other imports of this event keep changing its attendees; try again in a moment');
      }
    }
  }

  /** One attempt: plan the rows on the attendees as they are now, then write (ImportRaced if they changed meanwhile). */
  private async planAndWrite(by: string, eventId: string, file: Uint8Array, o: ImportOptions): Promise<ImportReport> {
    const ev = await this.d.events.event(eventId);
    if (!ev) throw new AppError('not_found', 'no such event');
    const sessions = await this.d.events.sessionsOf(eventId);
    if (o.sessionId && !sessions.some((s) => s.id === o.sessionId)) throw new AppError('invalid_request', 'session_id is not a session of this event');

    const table = await readCsv(file, MAX_IMPORT_ROWS);
    const head = readHeader(table.header.cells);
    if (!head.ok) throw new AppError('invalid_csv', `line ${table.header.line}: ${head.message}`, { line: table.header.line });
    const existing = await this.d.batch.liveByEmail(eventId);
    const plan = planImport(table.records, { header: head.header, sessions, existing: new Map([...existing].map(([email, a]) => [email, a.id])), upsert: o.upsert });

    const registered = o.upsert ? new Set((await this.d.attendees.registrationsForEvent(eventId)).map((r) => `${r.sessionId} ${r.attendeeId}`)) : new Set<string>();
    const now = this.d.clock.now();
    const plannedOn = new Map(plan.rows.flatMap((r) => (r.email ? [[r.email, existing.get(r.email)?.id ?? null] as const] : [])));
    const write: AttendeeBatchWrite = { eventId, plannedOn, creates: [], renames: [], languages: [], notes: [], registrations: [], sessions: [], now };
    const touched = new Set<string>();
    const attendees: ImportedAttendee[] = [];
    const passes: string[] = [];
    const links: [string, string][] = [];
    const counts = { created: 0, updated: 0, unchanged: 0 };

    for (const row of plan.rows) {
      const sessionIds = [...new Set([...row.sessionIds, ...(o.sessionId ? [o.sessionId] : [])])];
      if (row.existingId === null) {
        const token = randomToken(this.d.random, 24);
        const id = randomUuid(this.d.random);
        write.creates.push({ id, eventId, userId: null, name: row.name, email: row.email, linkTokenHash: sha256(token), version: 1, createdAt: now, revokedAt: null });
        links.push([id, token]);
        if (row.language) write.languages!.push({ id, language: row.language });
        if (row.note) write.notes!.push({ id, note: row.note });
        for (const s of sessionIds) write.registrations.push({ sessionId: s, attendeeId: id });
        sessionIds.forEach((s) => touched.add(s));
        counts.created++;
        attendees.push({ line: row.line, id: o.dryRun ? null : id, name: row.name, email: row.email, action: 'create', ...(o.dryRun ? {} : { link_url: `${this.d.publicUrl}/pass?link=${token}` }) });
        continue;
      }
      const id = row.existingId;
      const renamed = existing.get(row.email!)?.name !== row.name;
      const relanguaged = row.language !== undefined && row.language !== (existing.get(row.email!)?.language ?? 'en');
      if (relanguaged) write.languages!.push({ id, language: row.language! });
      // A note column in the file says what the note is now; an empty cell clears it.
      const renoted = row.note !== undefined && (row.note || null) !== (existing.get(row.email!)?.note ?? null);
      if (renoted) write.notes!.push({ id, note: row.note || null });
      const added = sessionIds.filter((s) => !registered.has(`${s} ${id}`));
      if (renamed) {
        write.renames.push({ id, name: row.name });
        passes.push(id);
      }
      for (const s of added) {
        write.registrations.push({ sessionId: s, attendeeId: id });
        touched.add(s);
      }
      const action = renamed || relanguaged || renoted || added.length ? 'update' : 'unchanged';
      counts[action === 'update' ? 'updated' : 'unchanged']++;
      attendees.push({ line: row.line, id, name: row.name, email: row.email, action });
    }
    // Sessions open to every attendee expect each new one too.
    if (write.creates.length) for (const s of sessions) if (s.allAttendees) touched.add(s.id);
    write.sessions = [...touched];

    const errors = [...table.malformed, ...plan.errors].sort((a, b) => a.line - b.line);
    const report: ImportReport = {
      dry_run: o.dryRun,
      ...counts,
      skipped: plan.skipped + table.malformed.length,
      delimiter: table.delimiter,
      ignored_columns: head.header.ignored,
      errors: errors.slice(0, MAX_REPORTED_ERRORS),
      more_errors: Math.max(0, errors.length - MAX_REPORTED_ERRORS),
      attendees,
    };
    if (o.dryRun || (write.creates.length === 0 && write.renames.length === 0 && write.languages!.length === 0 && write.notes!.length === 0 && write.registrations.length === 0)) return report;

    await this.d.passLinks.ready();
    await this.d.batch.write(write, async (trx) => {
      await this.d.passLinks.keepMany(links, trx);
      await this.d.audit.record(
        { at: now, actorId: by, action: 'attendee_import', subject: `event:${eventId}`, outcome: 'ok', detail: { created: counts.created, updated: counts.updated, skipped: report.skipped, mode: o.upsert ? 'upsert' : 'create' } },
        trx,
      );
    });
    for (const s of write.sessions) this.d.channels.publishSession(s);
    for (const a of passes) this.d.channels.publishPass(a);
    return report;
  }
}
