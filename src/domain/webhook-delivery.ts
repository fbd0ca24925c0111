/** An owner's webhook endpoint (at most one per owner). */
export interface WebhookEndpoint {
  /** `<kind>:<id>`, e.g. `event:<id>` (see webhook-owner.ts). */
  owner: string;
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
  /** The endpoint's owner, `<kind>:<id>`. */
  owner: string;
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
