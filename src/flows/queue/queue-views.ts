import type { QueueCounter, QueuePlace, QueueService } from '../../domain/queue.js';
import type { WaitEstimate } from '../../domain/wait-estimate.js';
import type { BoardState, TicketState as StoredTicket } from '../../store/tickets.js';
import type { BoardFrame, CounterView, QueueView, ServiceView, TicketState } from './queue-schemas.js';

/** The queue's response bodies and frames, from the domain records the repositories hand out (shapes: queue-schemas.ts). */

export const serviceView = (s: QueueService): ServiceView => ({
  id: s.id,
  name: s.name,
  prefix: s.prefix,
  ask: s.ask,
  max_waiting: s.maxWaiting,
  near_ahead: s.nearAhead,
  no_show_seconds: s.noShowSeconds,
  more_time_places: s.moreTimePlaces,
  open: s.open,
});

export const counterView = (c: QueueCounter): CounterView => ({ id: c.id, name: c.name, service_ids: c.serviceIds, open: c.open });

export const queueView = (p: QueuePlace): QueueView => ({ id: p.id, name: p.name, timezone: p.timezone, services: p.services.map(serviceView), counters: p.counters.map(counterView), poster_enabled: p.posterEnabled });

export function ticketStateView(s: StoredTicket, eta: WaitEstimate | null): TicketState {
  const t = s.ticket;
  const waiting = t.status === 'waiting';
  return {
    id: t.id,
    queue_id: t.queueId,
    service: { id: s.service.id, name: s.service.name, prefix: s.service.prefix },
    number: t.number,
    status: t.status,
    ahead: waiting ? s.ahead : 0,
    eta_seconds: waiting && eta ? eta.seconds : 0,
    eta_range: waiting && eta ? eta.range : null,
    near_ahead: s.service.nearAhead,
    counter: s.counter,
    called_at: t.calledAt,
    created_at: t.createdAt,
    recalls: t.recalls,
    more_time_used: t.moreTimeUsed,
    priority: t.priority > 0,
    order: t.order,
    line_version: s.lineVersion,
  };
}

export function boardFrame(b: BoardState, now: number): BoardFrame {
  const recent = b.recent.map((c) => ({ ticket_id: c.ticketId, number: c.number, counter: c.counter, at: c.at, recalls: c.recalls }));
  return {
    now: recent[0] ?? null,
    recent,
    services: b.services.map((s) => ({
      id: s.id,
      name: s.name,
      prefix: s.prefix,
      open: s.open,
      waiting: s.waiting,
      longest_wait_seconds: s.oldestWaitingAt === null ? 0 : Math.max(0, Math.round((now - s.oldestWaitingAt) / 1000)),
    })),
  };
}
