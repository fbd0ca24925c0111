import { Type } from '@fastify/type-provider-typebox';
import { principalOf } from '../../auth/http-auth.js';
import { liveAccessOf } from '../../auth/live-access.js';
import { errorResponses } from '../../http/schemas.js';
import type { App } from '../../http/types.js';
import { BoardView, EntranceCode, JoinInfo, JoinQuery, QueueBody, QueueParams, QueueServiceParams, QueueStaffList, QueueUserParams, ServicePatch, ServiceView, StaffChange } from './queue-schemas.js';
import type { QueueService } from './queue-service.js';

const TAGS = ['queue'];

/** Admins: places with their services and counters, and who staffs them. */
export function queueAdminRoutes(app: App, queues: QueueService): void {
  app.post(
    '/queues',
    {
      schema: { tags: TAGS, summary: 'Create a queue: a place with its services and counters', body: QueueBody, response: { 201: Type.Ref('Queue'), ...errorResponses('invalid_request', 'unauthorized', 'csrf_failed', 'forbidden') } },
    },
    async (req, reply) => reply.code(201).send(await queues.create(principalOf(req).user.id, req.body)),
  );

  app.get(
    '/queues/:id/staff',
    { schema: { tags: TAGS, summary: "The place's staff", params: QueueParams, response: { 200: QueueStaffList, ...errorResponses('invalid_request', 'unauthorized', 'forbidden', 'not_found') } } },
    async (req) => queues.staff(req.params.id),
  );

  app.put(
    '/queues/:id/staff/:user_id',
    { schema: { tags: TAGS, summary: 'Make a staff account staff of the place', params: QueueUserParams, response: { 200: StaffChange, ...errorResponses('invalid_request', 'unauthorized', 'csrf_failed', 'forbidden', 'not_found') } } },
    async (req) => queues.setStaff(req.params.id, req.params.user_id, true),
  );

  app.delete(
    '/queues/:id/staff/:user_id',
    { schema: { tags: TAGS, summary: 'Remove a staff account from the place', params: QueueUserParams, response: { 200: StaffChange, ...errorResponses('invalid_request', 'unauthorized', 'csrf_failed', 'forbidden', 'not_found') } } },
    async (req) => queues.setStaff(req.params.id, req.params.user_id, false),
  );
}

/** Staff of a place (and admins): the place, its services' opening, the entrance code and the board. */
export function queueStaffRoutes(app: App, queues: QueueService): void {
  app.get(
    '/queues',
    { schema: { tags: TAGS, summary: 'Queues: every one for an admin, the places a staff account staffs', response: { 200: Type.Object({ queues: Type.Array(Type.Ref('Queue')) }), ...errorResponses('unauthorized', 'forbidden') } } },
    async (req) => queues.list(principalOf(req).user),
  );

  app.get(
    '/queues/:id',
    { schema: { tags: TAGS, summary: 'A queue with its services and counters', params: QueueParams, response: { 200: Type.Ref('Queue'), ...errorResponses('invalid_request', 'unauthorized', 'forbidden', 'not_found') } } },
    async (req) => queues.get(principalOf(req).user, req.params.id),
  );

  app.patch(
    '/queues/:id/services/:service_id',
    {
      schema: {
        tags: TAGS,
        summary: 'Open or close a service for new tickets',
        params: QueueServiceParams,
        body: ServicePatch,
        response: { 200: ServiceView, ...errorResponses('invalid_request', 'unauthorized', 'csrf_failed', 'forbidden', 'not_found') },
      },
    },
    async (req) => queues.setOpen(principalOf(req).user, req.params.id, req.params.service_id, req.body.open),
  );

  app.get(
    '/queues/:id/entrance-code',
    {
      schema: { tags: TAGS, summary: 'The entrance code now (rotates every 60 s, accepted for 120 s) and the URL its QR encodes', params: QueueParams, response: { 200: EntranceCode, ...errorResponses('invalid_request', 'unauthorized', 'forbidden', 'not_found') } },
    },
    async (req, reply) => {
      reply.header('cache-control', 'no-store');
      return queues.entranceCode(principalOf(req).user, req.params.id);
    },
  );

  app.get(
    '/queues/:id/board',
    { schema: { tags: TAGS, summary: 'The display board: the last calls, waiting per service, and its live channel', params: QueueParams, response: { 200: BoardView, ...errorResponses('invalid_request', 'unauthorized', 'forbidden', 'not_found') } } },
    async (req) => {
      const p = principalOf(req);
      return queues.board(p.user, req.params.id, liveAccessOf(p));
    },
  );
}

/** Anyone at the entrance: what the join page lists. */
export function queueJoinRoutes(app: App, queues: QueueService): void {
  app.get(
    '/queues/:id/join',
    {
      schema: {
        tags: TAGS,
        summary: 'The services a visitor may take a number for, with a fresh entrance code',
        params: QueueParams,
        querystring: JoinQuery,
        response: { 200: JoinInfo, ...errorResponses('invalid_request', 'invalid_entrance_code', 'not_found') },
      },
    },
    async (req, reply) => {
      reply.header('cache-control', 'no-store').header('referrer-policy', 'no-referrer');
      return queues.joinInfo(req.params.id, req.query.entrance_code);
    },
  );
}
