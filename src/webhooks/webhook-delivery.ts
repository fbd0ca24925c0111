/** An event's webhook endpoint (at most one per event). */
export interface WebhookEndpoint {
  eventId: string;
  url: string;
  /** `whsec_...`: every delivery is signed with it. */
  secret: string;
  enabled: boolean;
  createdAt: number;
  updatedAt: number;
}

export type DeliveryStatus = 'pending' | 'delivered' | 'failed';

/** One webhook body in the outbox, and how its attempts went. */
export interface WebhookDelivery {
  /** `whd_...`, the same on every attempt, so a receiver can tell a retry. */
  id: string;
  eventId: string;
  /** The body's `type` (`checkin.created`, `ping`, ...). */
  kind: string;
  /** The body's `data`, as JSON text: signed and sent as stored. */
  payload: string;
  status: DeliveryStatus;
  attempts: number;
  nextAttemptAt: number;
  /** The receiver's HTTP status at the last attempt (null: none, or no answer). */
  lastStatus: number | null;
  lastError: string | null;
  createdAt: number;
  deliveredAt: number | null;
}

/** A due delivery with where to send it and the key to sign it with. */
export interface DueDelivery extends WebhookDelivery {
  url: string;
  secret: string;
}

/** What a check-in webhook reports about one check-in, read in the change's unit of work. */
export interface CheckinReport {
  eventId: string;
  checkin: { id: string; sessionId: string; attendeeId: string; at: number; gate: string | null; method: string; exitedAt: number | null; undoneAt: number | null };
  attendee: { id: string; name: string; email: string | null; userId: string | null };
  session: { id: string; name: string };
}
