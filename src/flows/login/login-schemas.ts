import { Type } from '@fastify/type-provider-typebox';
import type { Static } from 'typebox';

/** Response shapes of the phone's side of QR login and of the applications API; named for the OpenAPI document. */

/** What the phone shows: which application, which screen, since when; never the device code. */
export const PhoneView = Type.Object(
  {
    user_code: Type.String(),
    status: Type.String(),
    client: Type.Object({ client_id: Type.String(), name: Type.String() }),
    scopes: Type.Array(Type.String()),
    screen: Type.Object({ ip: Type.String(), user_agent: Type.String(), browser: Type.String() }),
    created_at: Type.Integer(),
    expires_at: Type.Integer(),
    match_required: Type.Boolean(),
    match_choices: Type.Union([Type.Array(Type.Integer()), Type.Null()]),
  },
  { $id: 'LoginRequestView' },
);
export type PhoneView = Static<typeof PhoneView>;

export const ClientView = Type.Object(
  {
    client_id: Type.String(),
    name: Type.String(),
    confidential: Type.Boolean(),
    scopes: Type.Array(Type.String()),
    owner_id: Type.Union([Type.String(), Type.Null()]),
    created_at: Type.Integer(),
  },
  { $id: 'Client' },
);
export type ClientView = Static<typeof ClientView>;
