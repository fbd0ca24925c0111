import { Type } from '@fastify/type-provider-typebox';
import { principalOf, requireUser } from '../../auth/http-auth.js';
import { errorResponses } from '../../http/schemas.js';
import type { App } from '../../http/types.js';
import { EventBody, EventView, IdParams, Paging, SessionBody, SessionPatch, SessionUserParams, SessionViewSchema, UserIdBody } from './checkin-schemas.js';
import type { EventAdmin } from './event-admin.js';

const admin = requireUser('admin');

/** Organisers: events, their sessions, and which staff accounts scan at each session. */
export function eventRoutes(app: App, ev: EventAdmin): void {
  app.addSchema(EventView);
  app.addSchema(SessionViewSchema);

  app.post(
    '/api/v1/events',
    {
      preHandler: admin,
      schema: { tags: ['checkin'], summary: 'Create an event (with its own Ed25519 key pair)', body: EventBody, response: { 201: Type.Ref('CheckinEvent'), ...errorResponses(400, 401, 403) } },
    },
    async (req, reply) => reply.code(201).send(await ev.createEvent(principalOf(req).user.id, req.body)),
  );

  app.get(
    '/api/v1/events',
    {
      preHandler: admin,
      schema: { tags: ['checkin'], summary: 'List events', querystring: Paging, response: { 200: Type.Object({ events: Type.Array(Type.Ref('CheckinEvent')) }), ...errorResponses(401, 403) } },
    },
    async (req) => ev.listEvents(Math.min(req.query.limit ?? 100, 1000), req.query.offset ?? 0),
  );

  app.get(
    '/api/v1/events/:id',
    {
      preHandler: admin,
      schema: {
        tags: ['checkin'],
        summary: 'An event with its sessions',
        params: IdParams,
        response: { 200: Type.Intersect([Type.Ref('CheckinEvent'), Type.Object({ sessions: Type.Array(Type.Ref('CheckinSession')) })]), ...errorResponses(401, 403, 404) },
      },
    },
    async (req) => ev.event(req.params.id),
  );

  app.post(
    '/api/v1/events/:id/sessions',
    {
      preHandler: admin,
      schema: { tags: ['checkin'], summary: 'Add a session (time window, place)', params: IdParams, body: SessionBody, response: { 201: Type.Ref('CheckinSession'), ...errorResponses(400, 401, 403, 404) } },
    },
    async (req, reply) => reply.code(201).send(await ev.createSession(req.params.id, req.body)),
  );

  app.patch(
    '/api/v1/sessions/:id',
    {
      preHandler: admin,
      schema: { tags: ['checkin'], summary: 'Close or reopen check-in for a session', params: IdParams, body: SessionPatch, response: { 200: Type.Ref('CheckinSession'), ...errorResponses(400, 401, 403, 404) } },
    },
    async (req) => ev.setClosed(req.params.id, req.body.closed),
  );

  const StaffList = Type.Object({ staff: Type.Array(Type.Object({ id: Type.String(), name: Type.String(), email: Type.String(), created_at: Type.Integer() })) });
  const StaffChange = Type.Object({ session_id: Type.String(), user_id: Type.String(), staff: Type.Boolean() });

  app.get(
    '/api/v1/sessions/:id/staff',
    { preHandler: admin, schema: { tags: ['checkin'], summary: 'Staff assigned to a session', params: IdParams, response: { 200: StaffList, ...errorResponses(401, 403, 404) } } },
    async (req) => ev.staff(req.params.id),
  );

  app.post(
    '/api/v1/sessions/:id/staff',
    {
      preHandler: admin,
      schema: { tags: ['checkin'], summary: 'Assign a staff account to a session', params: IdParams, body: UserIdBody, response: { 200: StaffChange, ...errorResponses(400, 401, 403, 404) } },
    },
    async (req) => ev.setStaff(req.params.id, req.body.user_id, true),
  );

  app.delete(
    '/api/v1/sessions/:id/staff/:user_id',
    { preHandler: admin, schema: { tags: ['checkin'], summary: 'Unassign a staff account', params: SessionUserParams, response: { 200: StaffChange, ...errorResponses(401, 403, 404) } } },
    async (req) => ev.setStaff(req.params.id, req.params.user_id, false),
  );
}
