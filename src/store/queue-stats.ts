import type { Kysely } from 'kysely';
import type { TicketStatus } from '../domain/queue-ticket.js';
import type { Database } from './schema.js';

/** One ticket of a place's day, as the statistics and the CSV export read it. */
export interface DayTicket {
  id: string;
  serviceId: string;
  number: string;
  seq: number;
  status: TicketStatus;
  name: string | null;
  phone: string | null;
  createdAt: number;
  calledAt: number | null;
  finishedAt: number | null;
  /** The counter that called it last, by name (null when never called, or transferred since). */
  counter: string | null;
}

/** Reads for a place's statistics (domain/queue-stats.ts computes them). */
export class QueueStatsRepo {
  constructor(private readonly db: Kysely<Database>) {}

  /** Every ticket of the place numbered on `day` (its local day), in the order they were taken. */
  async dayTickets(queueId: string, day: string): Promise<DayTicket[]> {
    const rows = await this.db
      .selectFrom('tickets')
      .leftJoin('queue_counters', 'queue_counters.id', 'tickets.counter_id')
      .select([
        'tickets.id',
        'tickets.service_id',
        'tickets.number',
        'tickets.seq',
        'tickets.status',
        'tickets.name',
        'tickets.phone',
        'tickets.created_at',
        'tickets.called_at',
        'tickets.finished_at',
        'queue_counters.name as counter',
      ])
      .where('tickets.queue_id', '=', queueId)
      .where('tickets.day', '=', day)
      .orderBy('tickets.created_at')
      .orderBy('tickets.seq')
      .orderBy('tickets.id')
      .execute();
    return rows.map((r) => ({
      id: r.id,
      serviceId: r.service_id,
      number: r.number,
      seq: Number(r.seq),
      status: r.status as TicketStatus,
      name: r.name,
      phone: r.phone,
      createdAt: Number(r.created_at),
      calledAt: r.called_at === null ? null : Number(r.called_at),
      finishedAt: r.finished_at === null ? null : Number(r.finished_at),
      counter: r.counter ?? null,
    }));
  }
}
