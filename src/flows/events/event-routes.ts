import { Type } from '@fastify/type-provider-typebox';
import { principalOf } from '../../auth/http-auth.js';
import { errorResponses } from '../../http/schemas.js';
import type { App } from '../../http/types.js';
import { EventBody, EventListQuery, EventView, SessionBody, SessionUserParams, SessionViewSchema, StaffChange, StaffList, UserIdBody } from './event-schemas.js';
import { IdParams } from '../../http/schemas.js';
import type { EventService } from './event-service.js';

/** Organisers: events, their sessions, and which staff accounts scan at each session. */
export function eventRoutes(app: App, ev: EventService): void {
  app.addSchema(EventView);
  app.addSchema(SessionViewSchema);

  app.post(
    '/events',
    {
      schema: { tags: ['checkin'], summary: 'Create an event (with its own Ed25519 key pair)', body: EventBody, response: { 201: Type.Ref('CheckinEvent'), ...errorResponses('invalid_request', 'unauthorized', 'csrf_failed', 'forbidden') } },
    },
    async (req, reply) => reply.code(201).send(await ev.createEvent(principalOf(req).user.id, req.body)),
  );

  app.get(
    '/events',
    {
      schema: {
        tags: ['checkin'],
        summary: 'List events (the archived ones with archived=true)',
        querystring: EventListQuery,
        response: { 200: Type.Object({ events: Type.Array(Type.Ref('CheckinEvent')) }), ...errorResponses('invalid_request', 'unauthorized', 'forbidden') },
      },
    },
    async (req) => ev.listEvents(Math.min(req.query.limit ?? 100, 1000), req.query.offset ?? 0, req.query.archived ?? false),
  );

  app.get(
    '/events/:id',
    {
      schema: {
        tags: ['checkin'],
        summary: 'An event with its sessions',
        params: IdParams,
        response: { 200: Type.Intersect([Type.Ref('CheckinEvent'), Type.Object({ sessions: Type.Array(Type.Ref('CheckinSession')) })]), ...errorResponses('invalid_request', 'unauthorized', 'forbidden', 'not_found') },
      },
    },
    async (req) => ev.event(req.params.id),
  );

  app.post(
    '/events/:id/sessions',
    {
      schema: { tags: ['checkin'], summary: 'Add a session (time window, place)', params: IdParams, body: SessionBody, response: { 201: Type.Ref('CheckinSession'), ...errorResponses('invalid_request', 'unauthorized', 'csrf_failed', 'forbidden', 'not_found') } },
    },
    async (req, reply) => reply.code(201).send(await ev.createSession(req.params.id, req.body)),
  );

  // Editing, deleting and archiving sessions (and closing them by hand): event-edit-routes.ts.

  app.get(
    '/sessions/:id/staff',
    { schema: { tags: ['checkin'], summary: 'Staff assigned to a session', params: IdParams, response: { 200: StaffList, ...errorResponses('invalid_request', 'unauthorized', 'forbidden', 'not_found') } } },
    async (req) => ev.staff(req.params.id),
  );

  app.post(
    '/sessions/:id/staff',
    {
      schema: { tags: ['checkin'], summary: 'Assign a staff account to a session', params: IdParams, body: UserIdBody, response: { 200: StaffChange, ...errorResponses('invalid_request', 'unauthorized', 'csrf_failed', 'forbidden', 'not_found') } },
    },
    async (req) => ev.setStaff(req.params.id, req.body.user_id, true),
  );

  app.delete(
    '/sessions/:id/staff/:user_id',
    { schema: { tags: ['checkin'], summary: 'Unassign a staff account', params: SessionUserParams, response: { 200: StaffChange, ...errorResponses('invalid_request', 'unauthorized', 'csrf_failed', 'forbidden', 'not_found') } } },
    async (req) => ev.setStaff(req.params.id, req.params.user_id, false),
  );
}
