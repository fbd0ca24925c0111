import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { CheckinChange, CheckinHook } from '../../store/checkins.js';
import type { Database } from '../../store/schema.js';
import type { WebhookDeliveriesRepo } from '../../store/webhook-deliveries.js';

/** Every type a webhook body may have. */
export const WEBHOOK_TYPES = ['checkin.created', 'checkin.exited', 'checkin.reentered', 'checkin.undone', 'ping'] as const;
export type WebhookType = (typeof WEBHOOK_TYPES)[number];

/** Delivery ids carry a prefix, so a receiver's logs say what they are. */
export const newDeliveryId = () => `whd_${randomUUID().replaceAll('-', '')}`;

/**
 * The check-in hook that fills the outbox: inside the transaction of each
 * check-in change it reads what the webhook reports and, when the event has
 * an enabled endpoint, inserts one pending delivery. One indexed read per
 * change when no endpoint is set; nothing for a refused scan.
 */
export function webhookOutbox(deliveries: WebhookDeliveriesRepo): CheckinHook {
  return async (trx: Kysely<Database>, change: CheckinChange) => {
    const c = await deliveries.checkinForWebhook(trx, change.checkinId);
    if (!c) return;
    const data = {
      event_id: c.event_id,
      checkin: {
        id: c.id,
        session_id: c.session_id,
        attendee_id: c.attendee_id,
        at: Number(c.at),
        gate: c.gate,
        method: c.method,
        exited_at: c.exited_at === null ? null : Number(c.exited_at),
        undone_at: c.undone_at === null ? null : Number(c.undone_at),
      },
      attendee: { id: c.attendee_id, name: c.attendee_name, email: c.attendee_email, user_id: c.attendee_user_id },
      session: { id: c.session_id, name: c.session_name },
      by: change.by,
    };
    await deliveries.insert({ id: newDeliveryId(), event_id: c.event_id, kind: `checkin.${change.type}` satisfies WebhookType, payload: JSON.stringify(data), created_at: change.at }, trx);
  };
}
