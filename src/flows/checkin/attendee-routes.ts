import { Type } from '@fastify/type-provider-typebox';
import { principalOf, requireUser } from '../../auth/http-auth.js';
import { errorResponses } from '../../http/schemas.js';
import type { App } from '../../http/types.js';
import { AttendeeBody, AttendeeIdBody, IdParams, SessionAttendeeParams } from './checkin-schemas.js';
import type { EventAdmin } from './event-admin.js';

const admin = requireUser('admin');

const Attendee = Type.Object(
  { id: Type.String(), event_id: Type.String(), user_id: Type.Union([Type.String(), Type.Null()]), name: Type.String(), email: Type.Union([Type.String(), Type.Null()]), revoked: Type.Boolean(), created_at: Type.Integer() },
  { $id: 'Attendee' },
);
const Link = Type.Object({ link_token: Type.String({ description: 'shown once: the personal pass link, for people without an account' }), link_url: Type.String() });
const Registration = Type.Object({ session_id: Type.String(), attendee_id: Type.String(), registered: Type.Boolean() });

/** Organisers: attendees (an account, or a name and email from a CSV), their session registrations and pass links. */
export function attendeeRoutes(app: App, ev: EventAdmin): void {
  app.addSchema(Attendee);

  app.post(
    '/api/v1/events/:id/attendees',
    {
      preHandler: admin,
      schema: {
        tags: ['checkin'],
        summary: 'Register a person for the event (and optionally sessions); returns their pass link once',
        params: IdParams,
        body: AttendeeBody,
        response: { 201: Type.Intersect([Type.Ref('Attendee'), Link, Type.Object({ session_ids: Type.Array(Type.String()) })]), ...errorResponses(400, 401, 403, 404, 409) },
      },
    },
    async (req, reply) => reply.code(201).send(await ev.createAttendee(principalOf(req).user.id, req.params.id, req.body)),
  );

  app.delete(
    '/api/v1/attendees/:id',
    { preHandler: admin, schema: { tags: ['checkin'], summary: "Revoke an attendee: their codes are refused as revoked", params: IdParams, response: { 200: Type.Ref('Attendee'), ...errorResponses(401, 403, 404, 409) } } },
    async (req) => ev.revokeAttendee(principalOf(req).user.id, req.params.id),
  );

  app.post(
    '/api/v1/attendees/:id/link',
    { preHandler: admin, schema: { tags: ['checkin'], summary: 'Issue a new personal pass link (the old one stops working)', params: IdParams, response: { 200: Link, ...errorResponses(401, 403, 404) } } },
    async (req) => ev.rotateLink(req.params.id),
  );

  app.post(
    '/api/v1/sessions/:id/registrations',
    {
      preHandler: admin,
      schema: { tags: ['checkin'], summary: 'Register an attendee for a session', params: IdParams, body: AttendeeIdBody, response: { 200: Registration, ...errorResponses(400, 401, 403, 404) } },
    },
    async (req) => ev.register(req.params.id, req.body.attendee_id, true),
  );

  app.delete(
    '/api/v1/sessions/:id/registrations/:attendee_id',
    {
      preHandler: admin,
      schema: { tags: ['checkin'], summary: "Revoke an attendee's registration for a session", params: SessionAttendeeParams, response: { 200: Registration, ...errorResponses(400, 401, 403, 404) } },
    },
    async (req) => ev.register(req.params.id, req.params.attendee_id, false),
  );
}
