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
    screen: Type.Object({
      ip: Type.String(),
      user_agent: Type.String(),
      browser: Type.String(),
      place: Type.Union([Type.String(), Type.Null()], { description: 'rough place of the screen\'s address ("Shanghai, China") when a location database is configured (SCANPASS_GEOIP_DB)' }),
    }),
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
    redirect_uris: Type.Array(Type.String(), { description: 'where /oauth/authorize may send the browser back; compared exactly (any port for loopback http)' }),
    post_logout_redirect_uris: Type.Array(Type.String()),
    grant_types: Type.Array(Type.String()),
    backchannel_logout_uri: Type.Union([Type.String(), Type.Null()]),
  },
  { $id: 'Client' },
);
export type ClientView = Static<typeof ClientView>;

/** One signed-in screen or app, on the phone's account page. */
export const SignedInAppView = Type.Object(
  {
    id: Type.String({ description: 'the `sid` of its tokens' }),
    client: Type.Object({ client_id: Type.String(), name: Type.String() }),
    via: Type.Union([Type.Literal('device'), Type.Literal('code')], { description: 'device: a screen that showed a QR (RFC 8628); code: a browser sent by an app (authorization code flow)' }),
    browser: Type.String(),
    place: Type.Union([Type.String(), Type.Null()]),
    signed_in_at: Type.Integer(),
    last_used_at: Type.Integer(),
  },
  { $id: 'SignedInApp' },
);
