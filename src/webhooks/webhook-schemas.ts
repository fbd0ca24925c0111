import { Type } from '@fastify/type-provider-typebox';
import type { Static } from 'typebox';
import { Nullable } from '../http/schemas.js';
import { ownerIdField } from './webhook-owner.js';

/** Request and response shapes of the webhook API, the same for every kind of owner but its view's id field. */

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

const DeliveryStatus = Type.Union([Type.Literal('pending'), Type.Literal('delivered'), Type.Literal('failed')]);

export const DeliveriesQuery = Type.Object({
  status: Type.Optional(DeliveryStatus),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 50 })),
});

/** The `$id` of a kind's endpoint schema: `EventWebhook`. */
export const webhookViewId = (kind: { kind: string }) => `${kind.kind.charAt(0).toUpperCase()}${kind.kind.slice(1)}Webhook`;

/** An owner's endpoint, `$id` `<Kind>Webhook` (`EventWebhook`), its owner's id first as `<kind>_id` (`event_id`). */
export function webhookViewSchema<K extends string>(kind: { kind: K }) {
  const owner = { [ownerIdField(kind)]: Type.String() } as Record<`${K}_id`, ReturnType<typeof Type.String>>;
  return Type.Object(
    {
      ...owner,
      url: Type.String(),
      enabled: Type.Boolean(),
      secret: Type.String({ description: '`whsec_...`: the key of the HMAC-SHA256 in `x-scanpass-signature`' }),
      created_at: Type.Integer(),
      updated_at: Type.Integer(),
    },
    { $id: webhookViewId(kind) },
  );
}
/** The endpoint as the API shows it; `WebhookView` alone is an event's (the admin console's). */
export type WebhookView<K extends string = 'event'> = Static<ReturnType<typeof webhookViewSchema<K>>>;

/** "a, b, c or d" */
const either = (words: readonly string[]) => (words.length < 2 ? words.join('') : `${words.slice(0, -1).join(', ')} or ${words.at(-1)}`);

/** One delivery, `$id` `WebhookDelivery`; `types` are the body types of every kind served (`ping` last). */
export const deliveryViewSchema = (types: readonly string[]) =>
  Type.Object(
    {
      id: Type.String({ description: 'also sent as `x-scanpass-delivery` and the body `id`; the same on every retry' }),
      type: Type.String({ description: either(types) }),
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
export type DeliveryView = Static<ReturnType<typeof deliveryViewSchema>>;
