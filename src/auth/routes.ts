import { Type } from '@fastify/type-provider-typebox';
import { isAppError } from '../domain/errors.js';
import { API_KEY_SCOPE_PATTERN } from '../domain/api-key-scopes.js';
import type { ApiKey } from '../domain/api-key.js';
import type { App } from '../http/types.js';
import { errorResponses } from '../http/schemas.js';
import type { AuditLog } from '../store/audit-log.js';
import type { User } from '../store/users.js';
import type { AuthService } from './auth-service.js';
import { principalOf, SIGN_IN_COOKIE } from './http-auth.js';
import { MeView, SignedIn, UserView } from './auth-schemas.js';
import { Email, Password } from './users-schemas.js';
import type { UsersService } from './users-service.js';

export interface AuthRouteOptions {
  auth: AuthService;
  /** Account management, for the admin scope (users-routes.ts). */
  accounts: UsersService;
  audit: AuditLog;
  secureCookies: boolean;
  signInTtlMs: number;
  signInLimitPerMinute: number;
  now: () => number;
}

/** Sign in, for anyone; adds the `User` schema that the scopes registered after it use. */
export function signInRoutes(app: App, o: AuthRouteOptions): void {
  app.addSchema(UserView);
  const userOut = (u: User) => u;

  app.post(
    '/session',
    {
      config: { rateLimit: { max: o.signInLimitPerMinute, timeWindow: '1 minute' } },
      schema: {
        tags: ['accounts'],
        summary: 'Sign in: sets the sign-in cookie and returns the CSRF token for later writes',
        body: Type.Object({ email: Email, password: Password }),
        description:
          'Limited per client address (SCANPASS_SIGNIN_LIMIT_PER_MINUTE) and per e-mail address: after SCANPASS_SIGNIN_BACKOFF_AFTER ' +
          'consecutive failures an address waits 1 s, doubling with each further failure up to SCANPASS_SIGNIN_BACKOFF_MAX_SECONDS ' +
          '(429 `rate_limited` with `Retry-After` and `retry_after`); a success resets it.',
        response: { 200: SignedIn, ...errorResponses('invalid_request', 'invalid_credentials', 'account_disabled', 'unauthorized', 'rate_limited') },
      },
    },
    async (req, reply) => {
      try {
        const s = await o.auth.signIn(req.body.email, req.body.password, { ip: req.ip, userAgent: req.headers['user-agent'] ?? '' });
        await o.audit.record({ at: o.now(), actorId: s.user.id, action: 'sign_in', subject: `user:${s.user.id}`, outcome: 'ok', ip: req.ip });
        reply.setCookie(SIGN_IN_COOKIE, s.token, {
          path: '/',
          httpOnly: true,
          sameSite: 'lax',
          secure: o.secureCookies,
          maxAge: Math.floor(o.signInTtlMs / 1000),
        });
        return { user: userOut(s.user), csrf_token: s.csrfToken, expires_at: s.expiresAt };
      } catch (err) {
        if (isAppError(err) && typeof err.details?.retry_after === 'number') reply.header('retry-after', String(err.details.retry_after));
        await o.audit.record({ at: o.now(), actorId: null, action: 'sign_in', subject: `email:${req.body.email.slice(0, 254)}`, outcome: 'refused', ip: req.ip });
        throw err;
      }
    },
  );
}

/** Sign out and who am I: any signed-in caller. */
export function signedInRoutes(app: App, o: AuthRouteOptions): void {
  app.delete(
    '/session',
    { schema: { tags: ['accounts'], summary: 'Sign out (ends this sign-in)', response: errorResponses('unauthorized', 'csrf_failed') } },
    async (req, reply) => {
      const p = principalOf(req);
      if (p.kind === 'sign_in') await o.auth.signOut(p.signInHash);
      reply.clearCookie(SIGN_IN_COOKIE, { path: '/' });
      return reply.code(204).send();
    },
  );

  app.get(
    '/me',
    {
      schema: {
        tags: ['accounts'],
        summary: 'Who is signed in, with the CSRF token of a cookie sign-in',
        response: { 200: MeView, ...errorResponses('unauthorized') },
      },
    },
    async (req) => {
      const p = principalOf(req);
      // `via: 'session'` is the API's word for a cookie sign-in.
      return p.kind === 'sign_in' ? { user: p.user, csrf_token: p.csrfToken, via: 'session' } : { user: p.user, via: 'api_key' };
    },
  );
}

/** An API key as the API answers it. */
const apiKeyView = (k: ApiKey) => ({ id: k.id, name: k.name, user_id: k.userId, created_at: k.createdAt, last_used_at: k.lastUsedAt, revoked_at: k.revokedAt, scopes: k.scopes });

/** API keys acting as the caller: staff and admins. */
export function apiKeyRoutes(app: App, o: AuthRouteOptions): void {
  const ApiKeyInfo = Type.Object({
    id: Type.String(),
    name: Type.String(),
    user_id: Type.String(),
    created_at: Type.Integer(),
    last_used_at: Type.Union([Type.Integer(), Type.Null()]),
    revoked_at: Type.Union([Type.Integer(), Type.Null()]),
    scopes: Type.Array(Type.String()),
  });

  app.post(
    '/api-keys',
    {
      schema: {
        tags: ['accounts'],
        summary: 'Create an API key acting as the caller; the key is shown once',
        description: 'With `scopes: ["login:approve:<client_id>"]` the key may also approve QR logins of that application for its own users (`subject`); the caller must own the application, or be an admin, when the key is used.',
        body: Type.Object({
          name: Type.String({ minLength: 1, maxLength: 120 }),
          scopes: Type.Optional(Type.Array(Type.String({ pattern: API_KEY_SCOPE_PATTERN }), { maxItems: 20 })),
        }),
        response: { 201: Type.Object({ key: Type.String(), api_key: ApiKeyInfo }), ...errorResponses('invalid_request', 'unauthorized', 'csrf_failed', 'forbidden') },
      },
    },
    async (req, reply) => {
      const p = principalOf(req);
      const { key, info } = await o.auth.createApiKey(p.user.id, req.body.name, req.body.scopes);
      await o.audit.record({ at: o.now(), actorId: p.user.id, action: 'api_key_create', subject: `api_key:${info.id}`, outcome: 'ok', ip: req.ip });
      return reply.code(201).send({ key, api_key: apiKeyView(info) });
    },
  );

  app.get(
    '/api-keys',
    {
      schema: { tags: ['accounts'], summary: "List API keys (admins see everyone's)", response: { 200: Type.Object({ api_keys: Type.Array(ApiKeyInfo) }), ...errorResponses('unauthorized', 'forbidden') } },
    },
    async (req) => {
      const p = principalOf(req);
      return { api_keys: (await o.auth.listApiKeys(p.user.role === 'admin' ? undefined : p.user.id)).map(apiKeyView) };
    },
  );

  app.delete(
    '/api-keys/:id',
    {
      schema: { tags: ['accounts'], summary: 'Revoke an API key', params: Type.Object({ id: Type.String({ maxLength: 64 }) }), response: errorResponses('invalid_request', 'unauthorized', 'csrf_failed', 'forbidden', 'not_found') },
    },
    async (req, reply) => {
      const p = principalOf(req);
      await o.auth.revokeApiKey(req.params.id, p.user.role === 'admin' ? undefined : p.user.id);
      await o.audit.record({ at: o.now(), actorId: p.user.id, action: 'api_key_revoke', subject: `api_key:${req.params.id}`, outcome: 'ok', ip: req.ip });
      return reply.code(204).send();
    },
  );
}
