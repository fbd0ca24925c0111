import { Type } from '@fastify/type-provider-typebox';
import type { Static } from 'typebox';
import { Nullable } from '../http/schemas.js';

/** Request and response shapes of the check-in webhook API. */

export const WebhookParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) });
export const DeliveryParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }), delivery_id: Type.String({ minLength: 1, maxLength: 64 }) });

export const WebhookBody = Type.Object(
  {
    url: Type.String({ minLength: 1, maxLength: 2048, description: 'absolute http:// or https:// URL that receives a POST per change' }),
    enabled: Type.Optional(Type.Boolean({ description: 'default true for a new webhook, unchanged otherwise' })),
    rotate_secret: Type.Optional(Type.Boolean({ description: 'issue a new secret; the old one stops verifying at once' })),
  },
  { additionalProperties: false },
);

export const DeliveryStatus = Type.Union([Type.Literal('pending'), Type.Literal('delivered'), Type.Literal('failed')]);

export const DeliveriesQuery = Type.Object({
  status: Type.Optional(DeliveryStatus),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 50 })),
});

export const WebhookView = Type.Object(
  {
    event_id: Type.String(),
    url: Type.String(),
    enabled: Type.Boolean(),
    secret: Type.String({ description: '`whsec_...`: the key of the HMAC-SHA256 in `x-scanpass-signature`' }),
    created_at: Type.Integer(),
    updated_at: Type.Integer(),
  },
  { $id: 'EventWebhook' },
);
export type WebhookView = Static<typeof WebhookView>;

export const DeliveryView = Type.Object(
  {
    id: Type.String({ description: 'also sent as `x-scanpass-delivery` and the body `id`; the same on every retry' }),
    type: Type.String({ description: 'checkin.created, checkin.exited, checkin.reentered, checkin.undone or ping' }),
    status: DeliveryStatus,
    attempts: Type.Integer(),
    next_attempt_at: Nullable(Type.Integer()),
    last_status: Nullable(Type.Integer({ description: 'HTTP status of the last attempt; null when none came' })),
    last_error: Nullable(Type.String()),
    created_at: Type.Integer(),
    delivered_at: Nullable(Type.Integer()),
    data: Type.Object({}, { additionalProperties: true, description: 'the body `data` sent' }),
  },
  { $id: 'WebhookDelivery' },
);
export type DeliveryView = Static<typeof DeliveryView>;
