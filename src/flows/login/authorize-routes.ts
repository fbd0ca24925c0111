import { Type } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { requireUser } from '../../auth/http-auth.js';
import { errorResponses } from '../../http/schemas.js';
import type { App } from '../../http/types.js';
import { LiveGrant } from '../../live/live-grant-schema.js';
import { AUTHORIZATION_TTL_MS } from '../../domain/authorization.js';
import type { AuthorizeService } from './authorize-service.js';

/**
 * The cookie that binds an /oauth/authorize visit to the browser that made
 * it. Its path is the visit's own, so each tab's visit has its own cookie
 * and none travels anywhere else.
 */
const VISIT_COOKIE = 'scanpass_authorize';
const visitPath = (id: string) => `/oauth/authorize/${id}`;

const Params = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) });
const Redirect = Type.Object({ redirect_to: Type.String({ description: 'where the browser goes now: the application, with a code or an error' }) });

export interface AuthorizeRouteOptions {
  secureCookies: boolean;
}

/**
 * GET /oauth/authorize (OpenID Connect Core 3.1.2) and the calls of its QR
 * page (web/authorize.ts). They answer in our `{error, message}` shape: the
 * application never calls them, the page does.
 */
export function authorizeRoutes(app: App, service: AuthorizeService, o: AuthorizeRouteOptions): void {
  const secret = (req: FastifyRequest) => req.cookies[VISIT_COOKIE];

  app.get(
    '/oauth/authorize',
    {
      schema: {
        tags: ['oauth'],
        summary: 'Authorization endpoint (OpenID Connect authorization code flow, PKCE S256)',
        description:
          'Redirects the browser to a page that shows a QR to scan with a signed-in phone (or, for a browser signed in here, a button to continue), then back to `redirect_uri` with `code`, `state` and `iss`. An unknown `client_id` or an unregistered `redirect_uri` is shown on our page and never redirected.',
        // The parameters are checked in the service: a repeated one is an error, not an array.
        querystring: Type.Object({}, { additionalProperties: true }),
      },
    },
    async (req, reply) => {
      const outcome = await service.begin(req.query as Record<string, unknown>, { ip: req.ip, userAgent: req.headers['user-agent'] ?? '', principal: req.principal });
      reply.header('cache-control', 'no-store').header('referrer-policy', 'no-referrer');
      if (outcome.kind === 'redirect') return reply.redirect(outcome.location, 302);
      if (outcome.kind === 'refused') {
        const q = new URLSearchParams({ error: outcome.error, error_description: outcome.description });
        return reply.redirect(`/authorize?${q}`, 303);
      }
      reply.setCookie(VISIT_COOKIE, outcome.browserSecret, {
        path: visitPath(outcome.id),
        httpOnly: true,
        sameSite: 'lax',
        secure: o.secureCookies,
        maxAge: AUTHORIZATION_TTL_MS / 1000,
      });
      return reply.redirect(`/authorize?id=${encodeURIComponent(outcome.id)}`, 303);
    },
  );

  const pageErrors = errorResponses('invalid_request', 'unknown_authorization', 'code_used', 'code_expired', 'conflict');

  app.get(
    '/oauth/authorize/:id',
    {
      schema: {
        tags: ['oauth'],
        summary: 'What the sign-in page shows: the application, the login hint, and whether this browser may continue without a phone',
        params: Params,
        response: {
          200: Type.Object({
            client: Type.Object({ client_id: Type.String(), name: Type.String() }),
            scopes: Type.Array(Type.String()),
            login_hint: Type.Union([Type.String(), Type.Null()]),
            expires_at: Type.Integer(),
            signed_in_as: Type.Union([Type.Object({ name: Type.String(), email: Type.String() }), Type.Null()]),
          }),
          ...pageErrors,
        },
      },
    },
    async (req, reply) => {
      reply.header('cache-control', 'no-store');
      return service.view(req.params.id, secret(req), req.principal);
    },
  );

  app.post(
    '/oauth/authorize/:id/qr',
    {
      schema: {
        tags: ['oauth'],
        summary: "A QR for the sign-in page: a live login request (the `<scanpass-login>` element's start response; `handle` names it)",
        params: Params,
        response: {
          200: Type.Object({
            handle: Type.String(),
            user_code: Type.String(),
            verification_uri: Type.String(),
            verification_uri_complete: Type.String(),
            expires_in: Type.Integer(),
            interval: Type.Integer(),
            live: LiveGrant,
          }),
          ...errorResponses('invalid_request', 'unknown_authorization', 'code_used', 'code_expired', 'unknown_client', 'unavailable'),
        },
      },
    },
    async (req, reply) => {
      reply.header('cache-control', 'no-store');
      return service.newQr(req.params.id, secret(req), req.ip, req.headers['user-agent'] ?? '');
    },
  );

  const redirectReply = (reply: FastifyReply, to: string) => reply.header('cache-control', 'no-store').send({ redirect_to: to });

  app.post(
    '/oauth/authorize/:id/finish',
    {
      schema: {
        tags: ['oauth'],
        summary: 'The QR was approved (or denied): where the browser goes now',
        params: Params,
        body: Type.Object({ handle: Type.String({ minLength: 1, maxLength: 64 }) }),
        response: { 200: Redirect, ...errorResponses('invalid_request', 'unknown_authorization', 'unknown_code', 'not_approved', 'code_used', 'code_expired', 'conflict') },
      },
    },
    async (req, reply) => redirectReply(reply, await service.finish(req.params.id, secret(req), req.body.handle)),
  );

  app.post(
    '/oauth/authorize/:id/confirm',
    {
      preHandler: requireUser(),
      schema: {
        tags: ['oauth'],
        summary: 'Continue as the account this browser is signed in to (CSRF token required)',
        params: Params,
        response: { 200: Redirect, ...errorResponses('unauthorized', 'csrf_failed', 'unknown_authorization', 'code_used', 'code_expired', 'conflict') },
      },
    },
    async (req, reply) => redirectReply(reply, await service.confirmHere(req.params.id, secret(req), req.principal)),
  );

  app.post(
    '/oauth/authorize/:id/cancel',
    {
      schema: {
        tags: ['oauth'],
        summary: 'Decline: the application hears access_denied',
        params: Params,
        response: { 200: Redirect, ...pageErrors },
      },
    },
    async (req, reply) => redirectReply(reply, await service.cancel(req.params.id, secret(req))),
  );
}
