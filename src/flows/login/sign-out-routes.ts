import { Type } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { principalOf } from '../../auth/http-auth.js';
import { requestLocale } from '../../http/request-locale.js';
import { errorResponses } from '../../http/schemas.js';
import type { App } from '../../http/types.js';
import type { AuditLog } from '../../store/audit-log.js';
import { SignedInAppView } from './login-schemas.js';
import type { SignOuts } from './sign-outs.js';

/** The phone's account page: the screens and apps signed in through this account, and signing one out. */
export function signedInAppsRoutes(app: App, signOuts: SignOuts, audit: AuditLog, now: () => number): void {
  app.addSchema(SignedInAppView);

  app.get(
    '/me/apps',
    {
      schema: {
        tags: ['login'],
        summary: 'Screens and apps signed in through your account (QR login, device grant, OpenID Connect), newest first',
        response: { 200: Type.Object({ apps: Type.Array(Type.Ref('SignedInApp')) }), ...errorResponses('unauthorized') },
      },
    },
    async (req) => ({ apps: await signOuts.list(principalOf(req).user.id, requestLocale(req)) }),
  );

  app.delete(
    '/me/apps/:id',
    {
      schema: {
        tags: ['login'],
        summary: 'Sign a screen or app out: its refresh tokens end, its access tokens are refused, and the app is told (OpenID back-channel logout) when it registered for that',
        params: Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) }),
        response: {
          200: Type.Object({ backchannel: Type.Union([Type.Literal('delivered'), Type.Literal('failed'), Type.Literal('not_registered')], { description: 'whether the application heard of it' }) }),
          ...errorResponses('invalid_request', 'unauthorized', 'csrf_failed', 'unknown_grant'),
        },
      },
    },
    async (req) => {
      const user = principalOf(req).user;
      const res = await signOuts.signOut(user.id, req.params.id);
      await audit.record({ at: now(), actorId: user.id, action: 'app_sign_out', subject: `grant:${req.params.id}`, outcome: 'ok', ip: req.ip, detail: { backchannel: res.backchannel } });
      return res;
    },
  );
}

const EndSessionParams = Type.Object(
  {
    id_token_hint: Type.Optional(Type.String({ maxLength: 8000 })),
    client_id: Type.Optional(Type.String({ maxLength: 200 })),
    post_logout_redirect_uri: Type.Optional(Type.String({ maxLength: 2000 })),
    state: Type.Optional(Type.String({ maxLength: 2048 })),
    logout_hint: Type.Optional(Type.String({ maxLength: 254 })),
    ui_locales: Type.Optional(Type.String({ maxLength: 100 })),
  },
  // Unknown parameters are ignored (RP-Initiated Logout 1.0, section 2).
  { additionalProperties: true },
);

/** The end-session endpoint (OpenID Connect RP-Initiated Logout 1.0), by GET or form POST. */
export function endSessionRoutes(app: App, signOuts: SignOuts): void {
  const handler = async (req: FastifyRequest, reply: FastifyReply) => {
    const p = (req.method === 'GET' ? req.query : req.body) as Record<string, string | undefined>;
    const outcome = await signOuts.endSession({ idTokenHint: p.id_token_hint, clientId: p.client_id, postLogoutRedirectUri: p.post_logout_redirect_uri, state: p.state });
    reply.header('cache-control', 'no-store');
    if (outcome.kind === 'redirect') return reply.redirect(outcome.location, 302);
    // No trustworthy place to return to: our page says what happened.
    const q = outcome.kind === 'refused' ? new URLSearchParams({ error: 'invalid_request', error_description: outcome.description }) : new URLSearchParams({ signed_out: outcome.signedOut ? '1' : '0' });
    return reply.redirect(`/authorize?${q}`, 303);
  };
  const schema = { tags: ['oauth'], summary: 'End-session endpoint (RP-initiated logout): ends the sign-in named by id_token_hint, then returns to a registered post_logout_redirect_uri with state' };
  app.get('/oauth/logout', { schema: { ...schema, querystring: EndSessionParams } }, handler);
  app.post('/oauth/logout', { schema: { ...schema, hide: true, consumes: ['application/x-www-form-urlencoded'], body: EndSessionParams } }, handler);
}
