import { Type } from '@fastify/type-provider-typebox';
import { principalOf } from '../../auth/http-auth.js';
import { errorResponses } from '../../http/schemas.js';
import type { App } from '../../http/types.js';
import { queueCallerOf } from './queue-device-auth.js';
import { BoardView, CounterPatch, CounterView, EntranceCode, JoinInfo, JoinQuery, PosterCode, QueueBody, QueueDeviceBody, QueueDeviceParams, QueueParams, QueuePatch, QueueServiceParams, QueueStaffList, QueueUserParams, ServicePatch, ServiceView, StaffChange } from './queue-schemas.js';
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

  app.patch(
    '/queues/:id',
    {
      schema: {
        tags: TAGS,
        summary: "Change a place's settings: whether its static poster code is accepted",
        description: 'A poster code never rotates: anyone with a photo of the poster can join from anywhere. Disabling it voids every printed copy.',
        params: QueueParams,
        body: QueuePatch,
        response: { 200: Type.Ref('Queue'), ...errorResponses('invalid_request', 'unauthorized', 'csrf_failed', 'forbidden', 'not_found') },
      },
    },
    async (req) => queues.setPoster(principalOf(req).user.id, req.params.id, req.body.poster_enabled),
  );

  app.get(
    '/queues/:id/poster-code',
    {
      schema: { tags: TAGS, summary: "The place's static poster code and the URL its QR encodes (only while posters are enabled)", params: QueueParams, response: { 200: PosterCode, ...errorResponses('invalid_request', 'unauthorized', 'forbidden', 'not_found', 'poster_disabled') } },
    },
    async (req, reply) => {
      reply.header('cache-control', 'no-store');
      return queues.posterCode(req.params.id);
    },
  );

  app.post(
    '/queues/:id/devices',
    {
      schema: {
        tags: TAGS,
        summary: 'Provision a display board or a kiosk for the place',
        description: 'The answer carries `token` and `url` once; the device opens `url` (the token rides in its fragment) and sends it as `Authorization: Bearer sqd_...`.',
        params: QueueParams,
        body: QueueDeviceBody,
        response: { 201: Type.Ref('QueueDevice'), ...errorResponses('invalid_request', 'unauthorized', 'csrf_failed', 'forbidden', 'not_found') },
      },
    },
    async (req, reply) => {
      reply.header('cache-control', 'no-store');
      return reply.code(201).send(await queues.provisionDevice(principalOf(req).user.id, req.params.id, req.body));
    },
  );

  app.get(
    '/queues/:id/devices',
    { schema: { tags: TAGS, summary: "The place's boards and kiosks", params: QueueParams, response: { 200: Type.Object({ devices: Type.Array(Type.Ref('QueueDevice')) }), ...errorResponses('invalid_request', 'unauthorized', 'forbidden', 'not_found') } } },
    async (req) => queues.devices(req.params.id),
  );

  app.delete(
    '/queues/:id/devices/:device_id',
    {
      schema: { tags: TAGS, summary: 'Revoke a board or kiosk: its token stops working and its board ends at once', params: QueueDeviceParams, response: { 200: Type.Ref('QueueDevice'), ...errorResponses('invalid_request', 'unauthorized', 'csrf_failed', 'forbidden', 'not_found') } },
    },
    async (req) => queues.revokeDevice(principalOf(req).user.id, req.params.id, req.params.device_id),
  );
}

/** Staff of a place (and admins): the place and its services' opening. */
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

  app.patch(
    '/counters/:id',
    {
      schema: {
        tags: TAGS,
        summary: 'Open (staffed) or close a counter: the wait estimate counts open counters only',
        params: QueueParams,
        body: CounterPatch,
        response: { 200: CounterView, ...errorResponses('invalid_request', 'unauthorized', 'csrf_failed', 'forbidden', 'not_found') },
      },
    },
    async (req) => queues.setCounterOpen(principalOf(req).user, req.params.id, req.body.open),
  );
}

/**
 * What shows a place: the entrance code and the board, for staff of the place
 * (and admins) and for the place's provisioned devices (`Authorization: Bearer sqd_...`).
 */
export function queueShowRoutes(app: App, queues: QueueService): void {
  app.get(
    '/queues/:id/entrance-code',
    {
      schema: { tags: TAGS, summary: 'The entrance code now (staff of the place, its board and kiosk devices) (rotates every 60 s, accepted for 120 s) and the URL its QR encodes', params: QueueParams, response: { 200: EntranceCode, ...errorResponses('invalid_request', 'unauthorized', 'device_revoked', 'forbidden', 'not_found') } },
    },
    async (req, reply) => {
      reply.header('cache-control', 'no-store');
      return queues.entranceCode(queueCallerOf(req), req.params.id);
    },
  );

  app.get(
    '/queues/:id/board',
    { schema: { tags: TAGS, summary: 'The display board: the last calls, waiting per service, and its live channel', params: QueueParams, response: { 200: BoardView, ...errorResponses('invalid_request', 'unauthorized', 'device_revoked', 'forbidden', 'not_found') } } },
    async (req) => queues.board(queueCallerOf(req), req.params.id),
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
