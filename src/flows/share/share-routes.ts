import { Type } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import { principalOf } from '../../auth/http-auth.js';
import { liveAccessOf } from '../../auth/live-access.js';
import { isAppError } from '../../domain/errors.js';
import type { FailureBudget } from '../../http/failure-budget.js';
import { qrImages } from '../../http/qr-images.js';
import { errorResponses } from '../../http/schemas.js';
import type { App } from '../../http/types.js';
import type { Caller, ShareService } from './share-service.js';
import { ClaimBody, CreateShareBody, IdParams, OwnerView, RequesterView, SharedFieldsSchema } from './share-schemas.js';

export interface ShareRouteOptions {
  /** Claims per minute per client address. */
  claimsPerMinute: number;
  /** Wrong codes from everyone together. */
  guesses: FailureBudget;
}

function callerOf(req: FastifyRequest): Caller {
  const p = principalOf(req);
  return { id: p.user.id, name: p.user.name, email: p.user.email, ip: req.ip, access: liveAccessOf(p) };
}

/** The share API: A creates, shows, decides or revokes; B claims; both read. */
export function shareRoutes(app: App, service: ShareService, o: ShareRouteOptions): void {
  app.addSchema(SharedFieldsSchema);
  app.addSchema(OwnerView);
  app.addSchema(RequesterView);
  const tags = ['share'];
  const owner = Type.Ref('ShareOwnerView');

  app.post(
    '/shares',
    {
      schema: {
        tags,
        summary: 'Create a share: pick the details to share, then show its code',
        body: CreateShareBody,
        response: { 201: owner, ...errorResponses('invalid_request', 'unauthorized', 'csrf_failed', 'payload_too_large') },
      },
    },
    async (req, reply) => reply.code(201).send(await service.create(callerOf(req), req.body)),
  );

  app.post(
    '/shares/claim',
    {
      config: { rateLimit: { max: o.claimsPerMinute, timeWindow: '1 minute' } },
      schema: {
        tags,
        summary: 'Ask to see a share by its code: the first signed-in caller becomes the requester',
        description: 'The shared fields arrive on the returned live channel (or `GET /api/v1/shares/{id}`) once the owner approves.',
        body: ClaimBody,
        response: { 200: Type.Ref('ShareRequesterView'), ...errorResponses('invalid_request', 'unauthorized', 'csrf_failed', 'forbidden', 'unknown_code', 'claimed_elsewhere', 'code_used', 'conflict', 'code_expired', 'share_revoked', 'rate_limited') },
      },
    },
    async (req) => {
      // Wrong codes spend a global budget, so many guessers together are slowed too.
      await o.guesses.check();
      try {
        return await service.claim(req.body.code, callerOf(req));
      } catch (err) {
        if (isAppError(err) && err.code === 'unknown_code') await o.guesses.fail();
        throw err;
      }
    },
  );

  app.get(
    '/shares/:id',
    {
      schema: {
        tags,
        summary: 'The current state of a share, for its owner or its requester',
        params: IdParams,
        response: { 200: Type.Union([owner, Type.Ref('ShareRequesterView')]), ...errorResponses('invalid_request', 'unauthorized', 'forbidden', 'not_found') },
      },
    },
    async (req) => service.view(req.params.id, callerOf(req)),
  );

  const decision = (path: string, summary: string, run: (id: string, c: Caller) => Promise<unknown>, method: 'post' | 'delete' = 'post') =>
    app[method](
      path,
      {
        schema: { tags, summary, params: IdParams, response: { 200: owner, ...errorResponses('invalid_request', 'unauthorized', 'csrf_failed', 'forbidden', 'not_found', 'not_claimed', 'code_used', 'conflict', 'code_expired', 'share_revoked') } },
      },
      async (req) => run(req.params.id, callerOf(req)),
    );
  decision('/shares/:id/approve', 'Approve the request (owner only): the requester receives the fields', (id, c) => service.approve(id, c));
  decision('/shares/:id/deny', 'Deny the request (owner only)', (id, c) => service.deny(id, c));
  decision('/shares/:id', 'Revoke the share before deciding (owner only)', (id, c) => service.revoke(id, c), 'delete');

  app.get(
    '/shares/:id/qr.svg',
    {
      schema: { tags, summary: 'QR code of the share (owner only), as SVG', params: IdParams, response: errorResponses('invalid_request', 'unauthorized', 'forbidden', 'not_found') },
    },
    async (req, reply) => {
      const target = await service.qrTarget(req.params.id, principalOf(req).user.id);
      const svg = await qrImages.svg(target);
      return reply.header('cache-control', 'private, no-store').type('image/svg+xml').send(svg);
    },
  );
}
