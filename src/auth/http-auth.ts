import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../domain/errors.js';
import { hasRole, type Role } from '../domain/roles.js';
import type { App } from '../http/types.js';
import type { AuthService, Principal } from './auth-service.js';
import { safeEqual } from './secrets.js';

/** The sign-in cookie (its name predates the word sign-in and stays: browsers hold it). */
export const SIGN_IN_COOKIE = 'scanpass_session';
const CSRF_HEADER = 'x-csrf-token';

declare module 'fastify' {
  interface FastifyRequest {
    /** Who is calling: a cookie sign-in, an API key, or null. Resolved once per request. */
    principal: Principal | null;
  }
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Resolves `request.principal` from the sign-in cookie or `Authorization: Bearer <api key>`. */
export function authHooks(app: App, auth: AuthService): void {
  app.decorateRequest('principal', null);
  app.addHook('onRequest', async (req) => {
    const header = req.headers.authorization;
    // Only our API keys are ours to judge; other credentials (OAuth access
    // tokens, Basic client credentials) belong to the routes that take them.
    // The OAuth endpoints take access tokens and client credentials only: there an spk_ value is just a wrong token.
    const key = header && !req.url.startsWith('/oauth/') && /^Bearer\s+(spk_\S*)$/i.exec(header)?.[1];
    if (key) {
      req.principal = await auth.fromApiKey(key);
      if (!req.principal) throw new AppError('unauthorized', 'the API key is unknown or revoked');
      return;
    }
    const token = req.cookies[SIGN_IN_COOKIE];
    if (token) req.principal = await auth.fromSignInToken(token);
  });
}

/**
 * Hook for routes that need a signed-in caller with at least `role` (see signedInScope).
 * Cookie-authenticated writes must carry the sign-in's CSRF token.
 */
export function requireUser(role: Role = 'member') {
  return async (req: FastifyRequest, _reply: FastifyReply) => {
    const p = req.principal;
    if (!p) throw new AppError('unauthorized', 'sign in first');
    if (p.kind === 'sign_in' && !SAFE_METHODS.has(req.method)) {
      const sent = req.headers[CSRF_HEADER];
      if (typeof sent !== 'string' || !safeEqual(sent, p.csrfToken)) {
        throw new AppError('csrf_failed', `send the csrf_token from sign-in or GET /api/v1/me in the ${CSRF_HEADER} header`);
      }
    }
    if (!hasRole(p.user.role, role)) throw new AppError('forbidden', `this needs the ${role} role`);
  };
}

/**
 * Registers `routes` in their own encapsulated scope whose every route needs
 * a signed-in caller with at least `role`: the guard is declared once, as the
 * scope's onRequest hook, so no route of the scope can be left unguarded.
 */
export async function signedInScope(app: App, role: Role, routes: (scope: App) => void | Promise<void>): Promise<void> {
  await app.register(async (scope: App) => {
    scope.addHook('onRequest', requireUser(role));
    await routes(scope);
  });
}

/** The principal of a route guarded by requireUser. */
export function principalOf(req: FastifyRequest): Principal {
  if (!req.principal) throw new AppError('unauthorized', 'sign in first');
  return req.principal;
}
