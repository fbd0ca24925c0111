import type { Clock } from '../../domain/clock.js';
import { AppError } from '../../domain/errors.js';
import { isDay, isoInZone, secondsBetween, serviceDayStats } from '../../domain/queue-stats.js';
import type { Queue } from '../../domain/queue.js';
import { localDay } from '../../domain/ticket-number.js';
import { csvText, defuse } from '../../http/csv.js';
import type { QueueStatsRepo } from '../../store/queue-stats.js';
import type { QueuesRepo } from '../../store/queues.js';
import type { User } from '../../store/users.js';
import { staffedQueue } from './queue-access.js';
import type { QueueStatsView } from './stats-schemas.js';

/** The CSV export's columns, in order. */
export const TICKET_CSV_COLUMNS = ['number', 'service', 'status', 'name', 'phone', 'created_at', 'called_at', 'finished_at', 'wait_seconds', 'service_seconds', 'counter'] as const;

export interface TicketsFile {
  filename: string;
  csv: string;
}

/**
 * A place's day in numbers, and its tickets as CSV: admins and staff of the
 * place (queue-access.ts). The day is the place's local day (default: today
 * there), the one ticket numbers restart on.
 */
export class StatsService {
  constructor(private readonly d: { queues: QueuesRepo; stats: QueueStatsRepo; clock: Clock }) {}

  async day(user: User, queueId: string, day?: string): Promise<QueueStatsView> {
    const { q, d } = await this.place(user, queueId, day);
    const [services, tickets] = await Promise.all([this.d.queues.servicesOf([q.id]), this.d.stats.dayTickets(q.id, d)]);
    return {
      queue_id: q.id,
      day: d,
      timezone: q.timezone,
      services: services.map((s) => {
        const st = serviceDayStats(
          tickets.filter((t) => t.serviceId === s.id),
          q.timezone,
        );
        return {
          id: s.id,
          name: s.name,
          prefix: s.prefix,
          tickets: st.tickets,
          served: st.served,
          no_shows: st.noShows,
          cancelled: st.cancelled,
          waiting_now: st.waitingNow,
          wait_seconds: st.waitSeconds,
          service_seconds: st.serviceSeconds,
          by_hour: st.byHour,
        };
      }),
    };
  }

  /** One row per ticket of the day, oldest first; UTF-8 with a BOM and CRLF, text cells defused. */
  async csv(user: User, queueId: string, day?: string): Promise<TicketsFile> {
    const { q, d } = await this.place(user, queueId, day);
    const [services, tickets] = await Promise.all([this.d.queues.servicesOf([q.id]), this.d.stats.dayTickets(q.id, d)]);
    const serviceName = new Map(services.map((s) => [s.id, s.name]));
    const at = (ms: number | null) => (ms === null ? '' : isoInZone(ms, q.timezone));
    const n = (v: number | null) => (v === null ? '' : String(v));
    const rows: string[][] = [[...TICKET_CSV_COLUMNS]];
    for (const t of tickets) {
      rows.push([
        t.number,
        defuse(serviceName.get(t.serviceId) ?? ''),
        t.status,
        defuse(t.name ?? ''),
        defuse(t.phone ?? ''),
        at(t.createdAt),
        at(t.calledAt),
        at(t.finishedAt),
        n(secondsBetween(t.createdAt, t.calledAt)),
        n(t.status === 'done' ? secondsBetween(t.calledAt, t.finishedAt) : null),
        defuse(t.counter ?? ''),
      ]);
    }
    return { filename: `tickets-${q.name}-${d}.csv`, csv: await csvText(rows) };
  }

  private async place(user: User, queueId: string, day: string | undefined): Promise<{ q: Queue; d: string }> {
    if (day !== undefined && !isDay(day)) throw new AppError('invalid_request', 'day must be a date written YYYY-MM-DD');
    const q = await staffedQueue(this.d.queues, user, queueId);
    return { q, d: day ?? localDay(this.d.clock.now(), q.timezone) };
  }
}
