import { Type } from '@fastify/type-provider-typebox';
import { Id } from '../http/schemas.js';

/** Request and response shapes of the Web Push routes. */

export const PushKey = Type.Object({ public_key: Type.String({ description: 'the VAPID application server key (P-256 public key, base64url): `applicationServerKey` of `pushManager.subscribe`' }) });

export const TicketPushParams = Type.Object({ id: Id });
export const TicketPushQuery = Type.Object({ token: Type.String({ minLength: 1, maxLength: 100, description: "the ticket's token, from joining" }) });

const B64 = (description: string, maxLength: number) => Type.String({ minLength: 1, maxLength, pattern: '^[A-Za-z0-9_-]+={0,2}$', description });

/** What the browser's `PushSubscription.toJSON()` gives. */
export const PushSubscriptionBody = Type.Object(
  {
    endpoint: Type.String({ minLength: 1, maxLength: 2048, description: "the push service's https:// URL for this browser" }),
    expirationTime: Type.Optional(Type.Union([Type.Number(), Type.Null()], { description: 'ignored' })),
    keys: Type.Object(
      {
        p256dh: B64("the browser's P-256 public key (65 bytes), base64url", 100),
        auth: B64("the browser's 16-byte auth secret, base64url", 40),
      },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false },
);
