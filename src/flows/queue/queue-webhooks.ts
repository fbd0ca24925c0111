import type { AuditLog } from '../../store/audit-log.js';
import type { QueuesRepo } from '../../store/queues.js';
import type { TicketChange, TicketHook } from '../../store/tickets.js';
import type { WebhookOutbox } from '../../webhooks/webhook-outbox.js';
import { webhookOwner, type WebhookOwnerKind } from '../../webhooks/webhook-owner.js';

/** The body types the queue sends, one per kind of ticket change. */
const TICKET_WEBHOOK_TYPES = ['ticket.created', 'ticket.called', 'ticket.served', 'ticket.no_show', 'ticket.cancelled', 'ticket.transferred'] as const;
type TicketWebhookType = (typeof TICKET_WEBHOOK_TYPES)[number];

const QUEUE = { kind: 'queue' } as const;

/** Queue webhooks belong to a place: `queue:<id>`, set at `/api/v1/queues/{id}/webhook`. */
export function queueWebhookOwner(queues: QueuesRepo): WebhookOwnerKind {
  return {
    ...QUEUE,
    label: 'queue',
    path: '/queues/:id/webhook',
    tag: 'queue',
    change: 'ticket change',
    types: TICKET_WEBHOOK_TYPES,
    exists: async (id) => (await queues.queue(id)) !== undefined,
  };
}

/**
 * The ticket hook: inside the unit of each ticket change, one delivery for
 * the place's webhook (when it has an enabled endpoint) and, for what staff
 * do (call, done, no-show, transfer), a line in the audit log.
 */
export function ticketWebhooks(outbox: WebhookOutbox, audit: AuditLog): TicketHook {
  return async (trx, change: TicketChange) => {
    const t = change.ticket;
    await outbox.enqueue(trx, {
      owner: webhookOwner(QUEUE, t.queueId),
      type: `ticket.${change.type}` satisfies TicketWebhookType,
      at: change.at,
      data: {
        queue_id: t.queueId,
        ticket: { id: t.id, number: t.number, service_id: t.serviceId, status: t.status, counter_id: t.counterId, created_at: t.createdAt, called_at: t.calledAt, finished_at: t.finishedAt, recalls: t.recalls },
        ...(change.fromServiceId !== undefined ? { from_service_id: change.fromServiceId } : {}),
        by: change.by,
      },
    });
    if (change.by.startsWith('user:')) {
      await audit.record({ at: change.at, actorId: change.by.slice(5), action: `queue.${change.type}`, subject: `ticket:${t.id}`, outcome: 'ok', detail: { number: t.number, queue_id: t.queueId, counter_id: t.counterId } }, trx);
    }
  };
}
