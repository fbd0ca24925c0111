import { Type } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import { principalOf } from '../../auth/http-auth.js';
import { AppError, isAppError } from '../../domain/errors.js';
import type { FailureBudget } from '../../http/failure-budget.js';
import { errorResponses } from '../../http/schemas.js';
import { requestLocale } from '../../http/request-locale.js';
import type { App } from '../../http/types.js';
import type { Claimant } from './login-access.js';
import { LoginService } from './login-service.js';
import { PhoneView } from './login-schemas.js';

const Params = Type.Object({ user_code: Type.String({ minLength: 1, maxLength: 32, description: 'XXXX-XXXX, any case, dashes and spaces ignored' }) });

function claimantOf(req: FastifyRequest): Claimant {
  const p = principalOf(req);
  return p.kind === 'sign_in'
    ? { key: `session:${p.signInHash}`, userId: p.user.id }
    : { key: `apikey:${p.keyId}`, userId: p.user.id, apiKeyOwner: { isAdmin: p.user.role === 'admin', scopes: p.scopes } };
}

export interface PhoneRouteOptions {
  attemptsPerMinute: number;
  guesses: FailureBudget;
}

/** The phone's side of a login request: open (claim), approve, deny. */
export function phoneRoutes(app: App, service: LoginService, o: PhoneRouteOptions): void {
  app.addSchema(PhoneView);
  // Per address, counted after authentication: an application's back end
  // approving with its API key decides for many people from one address, so
  // keys are exempt (they can be revoked, and wrong codes still spend the
  // global budget below).
  const limited = {
    rateLimit: {
      max: o.attemptsPerMinute,
      timeWindow: '1 minute',
      hook: 'preHandler' as const,
      allowList: (req: FastifyRequest) => req.principal?.kind === 'api_key',
    },
  };
  // Wrong codes spend a global budget, so many guessers together are slowed too.
  const guarded = async <T>(work: () => Promise<T>): Promise<T> => {
    await o.guesses.check();
    try {
      return await work();
    } catch (err) {
      if (isAppError(err) && err.code === 'unknown_code') await o.guesses.fail();
      throw err;
    }
  };

  app.get(
    '/login-requests/:user_code',
    {
      config: limited,
      schema: {
        tags: ['login'],
        summary: 'Open a login request by its user code: the first signed-in caller claims it',
        params: Params,
        response: { 200: Type.Ref('LoginRequestView'), ...errorResponses('invalid_request', 'unauthorized', 'forbidden', 'insufficient_scope', 'unknown_code', 'claimed_elsewhere', 'code_used', 'conflict', 'code_expired', 'rate_limited') },
      },
    },
    async (req) => {
      // Opening claims the request. A GET with a SameSite=Lax cookie can be
      // triggered by another site's link, so refuse cross-site browser visits.
      if (principalOf(req).kind === 'sign_in' && req.headers['sec-fetch-site'] === 'cross-site') {
        throw new AppError('forbidden', 'open this code from the /device page of this site');
      }
      return guarded(() => service.open(req.params.user_code, claimantOf(req), requestLocale(req)));
    },
  );

  app.post(
    '/login-requests/:user_code/approve',
    {
      config: limited,
      schema: {
        tags: ['login'],
        summary: 'Approve a request you claimed',
        description: 'With a live screen, `match` must be the number it shows. With an API key scoped `login:approve:<client_id>` to the application of the request (403 `insufficient_scope` otherwise), pass `subject` (your own user id) and profile `claims`; they go into the id_token.',
        params: Params,
        body: Type.Object({
          match: Type.Optional(Type.Integer({ minimum: 10, maximum: 99 })),
          subject: Type.Optional(Type.String({ minLength: 1, maxLength: 255 })),
          claims: Type.Optional(Type.Record(Type.String({ maxLength: 64 }), Type.Union([Type.String({ maxLength: 1000 }), Type.Number(), Type.Boolean()]), { maxProperties: 30 })),
        }),
        response: { 200: Type.Ref('LoginRequestView'), ...errorResponses('invalid_request', 'match_required', 'unauthorized', 'csrf_failed', 'forbidden', 'insufficient_scope', 'match_mismatch', 'unknown_code', 'claimed_elsewhere', 'not_claimed', 'code_used', 'conflict', 'code_expired', 'rate_limited') },
      },
    },
    async (req) => {
      const p = principalOf(req);
      const claimant = claimantOf(req);
      let approval;
      if (p.kind === 'api_key') {
        if (!req.body.subject) throw new AppError('invalid_request', 'an API key approves on behalf of its own user: send subject');
        approval = { subject: req.body.subject, claims: LoginService.cleanClaims(req.body.claims), approvedBy: `api_key:${p.keyId}` };
      } else {
        if (req.body.subject || req.body.claims) throw new AppError('invalid_request', 'subject and claims are for API keys; a signed-in user approves as themself');
        // No preferred_username: ours would be the email, and it would reach clients granted
        // only `profile`, defeating the `email` scope.
        // email_verified is listed in discovery, so it is always said: false, because scanpass
        // never proves an address (an admin typed it), and an app that trusts only verified
        // addresses must not link accounts on ours.
        approval = { subject: p.user.id, claims: { name: p.user.name, email: p.user.email, email_verified: false }, approvedBy: p.user.id };
      }
      return guarded(() => service.approve(req.params.user_code, claimant, req.body.match, approval, requestLocale(req)));
    },
  );

  app.post(
    '/login-requests/:user_code/deny',
    {
      config: limited,
      schema: {
        tags: ['login'],
        summary: 'Deny a request you claimed',
        params: Params,
        response: { 200: Type.Ref('LoginRequestView'), ...errorResponses('invalid_request', 'unauthorized', 'csrf_failed', 'forbidden', 'insufficient_scope', 'unknown_code', 'claimed_elsewhere', 'not_claimed', 'code_used', 'conflict', 'code_expired', 'rate_limited') },
      },
    },
    async (req) => guarded(() => service.deny(req.params.user_code, claimantOf(req), requestLocale(req))),
  );
}
