import type { CheckinChange, CheckinHook } from '../../store/checkins.js';
import type { CheckinReportsRepo } from '../../store/checkin-reports.js';
import type { EventsRepo } from '../../store/events.js';
import type { WebhookOutbox } from '../../webhooks/webhook-outbox.js';
import { webhookOwner, type WebhookOwnerKind } from '../../webhooks/webhook-owner.js';

/** The body types check-in sends, one per kind of check-in change. */
const CHECKIN_WEBHOOK_TYPES = ['checkin.created', 'checkin.exited', 'checkin.reentered', 'checkin.undone'] as const;
type CheckinWebhookType = (typeof CHECKIN_WEBHOOK_TYPES)[number];

const EVENT = { kind: 'event' } as const;

/** Check-in webhooks belong to an event: `event:<id>`, set at `/api/v1/events/{id}/webhook`. */
export function eventWebhookOwner(events: EventsRepo): WebhookOwnerKind {
  return {
    ...EVENT,
    label: 'event',
    path: '/events/:id/webhook',
    tag: 'checkin',
    change: 'check-in change',
    types: CHECKIN_WEBHOOK_TYPES,
    exists: async (id) => (await events.event(id)) !== undefined,
  };
}

/**
 * The check-in hook that fills the outbox: inside the transaction of each
 * check-in change, when the event has an enabled endpoint, it reads what the
 * webhook reports and queues one delivery. One look-up by key per change when
 * no endpoint is set; nothing for a refused scan (no change).
 */
export function checkinWebhooks(outbox: WebhookOutbox, reports: CheckinReportsRepo): CheckinHook {
  return async (unit, change: CheckinChange) => {
    await outbox.enqueue(unit, {
      owner: webhookOwner(EVENT, change.eventId),
      type: `checkin.${change.type}` satisfies CheckinWebhookType,
      at: change.at,
      data: async () => {
        const c = await reports.report(unit.db, change.checkinId);
        if (!c) return undefined;
        const k = c.checkin;
        return {
          event_id: c.eventId,
          checkin: { id: k.id, session_id: k.sessionId, attendee_id: k.attendeeId, at: k.at, gate: k.gate, method: k.method, exited_at: k.exitedAt, undone_at: k.undoneAt },
          attendee: { id: c.attendee.id, name: c.attendee.name, email: c.attendee.email, user_id: c.attendee.userId },
          session: c.session,
          by: change.by,
        };
      },
    });
  };
}
