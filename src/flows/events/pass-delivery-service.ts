import type { Kysely } from 'kysely';
import type { Clock } from '../../domain/clock.js';
import { AppError } from '../../domain/errors.js';
import { randomUuid, type Random } from '../../domain/random.js';
import { csvText, defuse } from '../../http/csv.js';
import type { AuditLog } from '../../store/audit-log.js';
import type { EventsRepo } from '../../store/events.js';
import { peopleOf, type PassDeliveriesRepo, type PassDeliveryStatus, type QueuedRow } from '../../store/pass-deliveries.js';
import type { Database } from '../../store/schema.js';
import { messageLanguage } from './pass-message.js';
import type { PassLinks } from './pass-links.js';

export interface PassDeliveryDeps {
  db: Kysely<Database>;
  events: EventsRepo;
  deliveries: PassDeliveriesRepo;
  links: PassLinks;
  audit: AuditLog;
  clock: Clock;
  random: Random;
  /** False when no SMTP server is configured: sending is refused with `mail_not_configured`. */
  mailConfigured: boolean;
  /** Tells this node's sender there is work (other nodes find it on their next tick). */
  kick: () => void;
}

/** What the API calls an attendee's delivery: `sending` is still `queued` to the organiser; `not_sent` has never been queued. */
export type ShownStatus = 'not_sent' | 'queued' | 'sent' | 'failed';
const shown = (s: PassDeliveryStatus | undefined): ShownStatus => (s === undefined ? 'not_sent' : s === 'sending' ? 'queued' : s);

export const NO_EMAIL = 'no e-mail address';

/**
 * Passes by e-mail, the organiser's side: start a send job, watch each
 * attendee's delivery, and export every link as CSV. The sending itself is
 * PassMailer's (pass-mailer.ts), on every node.
 */
export class PassDeliveryService {
  constructor(private readonly d: PassDeliveryDeps) {}

  /**
   * Queues a job: every live attendee not yet sent (never queued, or failed),
   * or exactly `attendeeIds` (a resend: sent ones too). Attendees already
   * queued or being sent are left in the job that has them, so nobody gets
   * two copies from two clicks. One without an e-mail address is failed at once.
   */
  async send(by: string, eventId: string, attendeeIds: string[] | undefined) {
    if (!this.d.mailConfigured) throw new AppError('mail_not_configured', 'no SMTP server is configured: set SCANPASS_SMTP_URL (and SCANPASS_MAIL_FROM) and restart');
    if (!(await this.d.events.event(eventId))) throw new AppError('not_found', 'no such event');
    const people = (await peopleOf(this.d.db, eventId)).filter((p) => !p.revoked);
    let chosen = people;
    if (attendeeIds !== undefined) {
      const wanted = new Set(attendeeIds);
      chosen = people.filter((p) => wanted.has(p.id));
      const live = new Set(chosen.map((p) => p.id));
      const unknown = [...wanted].filter((id) => !live.has(id));
      if (unknown.length) throw new AppError('invalid_request', `not live attendees of this event: ${unknown.slice(0, 20).join(', ')}`, { attendee_ids: unknown.slice(0, 100) });
    }
    const jobId = `pj_${randomUuid(this.d.random).replaceAll('-', '')}`;
    const now = this.d.clock.now();
    const rows: QueuedRow[] = chosen.map((p) => (p.email ? { attendeeId: p.id, status: 'queued', error: null } : { attendeeId: p.id, status: 'failed', error: NO_EMAIL }));
    await this.d.deliveries.queue(eventId, jobId, rows, attendeeIds === undefined ? ['failed'] : ['failed', 'sent'], now);
    const counts = await this.d.deliveries.jobCounts(eventId, jobId);
    await this.d.audit.record({ at: now, actorId: by, action: 'pass_send', subject: `event:${eventId}`, outcome: 'ok', detail: { job_id: jobId, queued: counts.queued, without_email: counts.failed, listed: attendeeIds?.length ?? null } });
    this.d.kick();
    return { job_id: jobId, queued: counts.queued + counts.sending, failed: counts.failed };
  }

  /** Every attendee with their delivery; with `jobId`, that job's progress too. */
  async deliveries(eventId: string, jobId?: string) {
    if (!(await this.d.events.event(eventId))) throw new AppError('not_found', 'no such event');
    const [people, rows] = await Promise.all([peopleOf(this.d.db, eventId), this.d.deliveries.forEvent(eventId)]);
    const byId = new Map(rows.map((r) => [r.attendeeId, r]));
    const links = await this.d.links.states(people.map((p) => p.id));
    const counts: Record<ShownStatus, number> = { not_sent: 0, queued: 0, sent: 0, failed: 0 };
    const deliveries = people
      .filter((p) => !p.revoked || byId.has(p.id))
      .map((p) => {
        const r = byId.get(p.id);
        const status = shown(r?.status);
        if (!p.revoked) counts[status]++;
        return {
          attendee_id: p.id,
          name: p.name,
          email: p.email,
          language: messageLanguage(p.language),
          revoked: p.revoked,
          status,
          error: r?.error ?? null,
          job_id: r?.jobId ?? null,
          attempts: r?.attempts ?? 0,
          queued_at: r?.queuedAt ?? null,
          sent_at: r?.sentAt ?? null,
          updated_at: r?.updatedAt ?? null,
          link: links.get(p.id) ?? 'none',
        };
      });
    let job;
    if (jobId !== undefined) {
      const c = await this.d.deliveries.jobCounts(eventId, jobId);
      const queued = c.queued + c.sending;
      job = { id: jobId, total: queued + c.sent + c.failed, queued, sent: c.sent, failed: c.failed, done: queued === 0 };
    }
    return { deliveries, counts, ...(job ? { job } : {}) };
  }

  /**
   * Every live attendee's link as CSV, for mail merge and messaging tools.
   * Kept links (every mailed one) are exported as they are; only a link that
   * was shown once and never kept is replaced, since it cannot be read back.
   */
  async linksCsv(by: string, eventId: string): Promise<{ filename: string; csv: string }> {
    const ev = await this.d.events.event(eventId);
    if (!ev) throw new AppError('not_found', 'no such event');
    const people = (await peopleOf(this.d.db, eventId)).filter((p) => !p.revoked);
    const states = await this.d.links.states(people.map((p) => p.id));
    const links = await this.d.links.current(people.map((p) => p.id));
    const rows: string[][] = [['name', 'email', 'language', 'link_url']];
    for (const p of people) {
      const token = links.get(p.id);
      if (token) rows.push([defuse(p.name), defuse(p.email ?? ''), messageLanguage(p.language), this.d.links.url(token)]);
    }
    const replaced = people.filter((p) => states.get(p.id) === 'shown_once').length;
    await this.d.audit.record({ at: this.d.clock.now(), actorId: by, action: 'pass_links_export', subject: `event:${eventId}`, outcome: 'ok', detail: { rows: rows.length - 1, replaced } });
    return { filename: `pass-links-${ev.name}.csv`, csv: await csvText(rows) };
  }
}
