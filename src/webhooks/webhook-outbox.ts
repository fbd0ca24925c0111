import type { Kysely } from 'kysely';
import { randomUuid, type Random } from '../domain/random.js';
import type { CheckinChange, CheckinHook } from '../store/checkins.js';
import type { Database } from '../store/schema.js';
import type { WebhookDeliveriesRepo } from '../store/webhook-deliveries.js';

/** Every type a webhook body may have. */
export const WEBHOOK_TYPES = ['checkin.created', 'checkin.exited', 'checkin.reentered', 'checkin.undone', 'ping'] as const;
export type WebhookType = (typeof WEBHOOK_TYPES)[number];

/** Delivery ids carry a prefix, so a receiver's logs say what they are. */
export const newDeliveryId = (random: Random) => `whd_${randomUuid(random).replaceAll('-', '')}`;

/**
 * The check-in hook that fills the outbox: inside the transaction of each
 * check-in change it reads what the webhook reports and, when the event has
 * an enabled endpoint, inserts one pending delivery. One indexed read per
 * change when no endpoint is set; nothing for a refused scan.
 */
export function webhookOutbox(deliveries: WebhookDeliveriesRepo, random: Random): CheckinHook {
  return async (trx: Kysely<Database>, change: CheckinChange) => {
    const c = await deliveries.checkinForWebhook(trx, change.checkinId);
    if (!c) return;
    const k = c.checkin;
    const data = {
      event_id: c.eventId,
      checkin: { id: k.id, session_id: k.sessionId, attendee_id: k.attendeeId, at: k.at, gate: k.gate, method: k.method, exited_at: k.exitedAt, undone_at: k.undoneAt },
      attendee: { id: c.attendee.id, name: c.attendee.name, email: c.attendee.email, user_id: c.attendee.userId },
      session: c.session,
      by: change.by,
    };
    await deliveries.insert({ id: newDeliveryId(random), eventId: c.eventId, kind: `checkin.${change.type}` satisfies WebhookType, payload: JSON.stringify(data), createdAt: change.at }, trx);
  };
}
