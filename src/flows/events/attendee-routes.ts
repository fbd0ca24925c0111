import { Type } from '@fastify/type-provider-typebox';
import { principalOf } from '../../auth/http-auth.js';
import { errorResponses } from '../../http/schemas.js';
import type { App } from '../../http/types.js';
import { AttendeeBody, AttendeeIdBody, AttendeePatch, AttendeeView, PassLink as Link, Registration, SessionAttendeeParams } from './event-schemas.js';
import { IdParams } from '../../http/schemas.js';
import type { EventService } from './event-service.js';

/** Organisers: attendees (an account, or a name and email from a CSV), their session registrations and pass links. */
export function attendeeRoutes(app: App, ev: EventService): void {
  app.addSchema(AttendeeView);

  app.post(
    '/events/:id/attendees',
    {
      schema: {
        tags: ['checkin'],
        summary: 'Register a person for the event (and optionally sessions); returns their pass link once',
        params: IdParams,
        body: AttendeeBody,
        response: { 201: Type.Intersect([Type.Ref('Attendee'), Link, Type.Object({ session_ids: Type.Array(Type.String()), note: Type.Union([Type.String(), Type.Null()]) })]), ...errorResponses('invalid_request', 'unauthorized', 'csrf_failed', 'forbidden', 'not_found', 'conflict') },
      },
    },
    async (req, reply) => reply.code(201).send(await ev.createAttendee(principalOf(req).user.id, req.params.id, req.body)),
  );

  app.patch(
    '/attendees/:id',
    {
      schema: {
        tags: ['checkin'],
        summary: "Change an attendee: the organiser's note for the door staff (null or empty clears it)",
        params: IdParams,
        body: AttendeePatch,
        response: { 200: Type.Intersect([Type.Ref('Attendee'), Type.Object({ note: Type.Union([Type.String(), Type.Null()]) })]), ...errorResponses('invalid_request', 'unauthorized', 'csrf_failed', 'forbidden', 'not_found') },
      },
    },
    async (req) => ev.setAttendeeNote(principalOf(req).user.id, req.params.id, req.body.note),
  );

  app.delete(
    '/attendees/:id',
    { schema: { tags: ['checkin'], summary: "Revoke an attendee: their codes are refused as revoked", params: IdParams, response: { 200: Type.Ref('Attendee'), ...errorResponses('invalid_request', 'unauthorized', 'csrf_failed', 'forbidden', 'not_found', 'conflict') } } },
    async (req) => ev.revokeAttendee(principalOf(req).user.id, req.params.id),
  );

  app.post(
    '/attendees/:id/link',
    { schema: { tags: ['checkin'], summary: 'Issue a new personal pass link (the old one stops working)', params: IdParams, response: { 200: Link, ...errorResponses('invalid_request', 'unauthorized', 'csrf_failed', 'forbidden', 'not_found') } } },
    async (req) => ev.rotateLink(req.params.id),
  );

  app.post(
    '/sessions/:id/registrations',
    {
      schema: { tags: ['checkin'], summary: 'Register an attendee for a session', params: IdParams, body: AttendeeIdBody, response: { 200: Registration, ...errorResponses('invalid_request', 'unauthorized', 'csrf_failed', 'forbidden', 'not_found') } },
    },
    async (req) => ev.register(req.params.id, req.body.attendee_id, true),
  );

  app.delete(
    '/sessions/:id/registrations/:attendee_id',
    {
      schema: { tags: ['checkin'], summary: "Revoke an attendee's registration for a session", params: SessionAttendeeParams, response: { 200: Registration, ...errorResponses('invalid_request', 'unauthorized', 'csrf_failed', 'forbidden', 'not_found') } },
    },
    async (req) => ev.register(req.params.id, req.params.attendee_id, false),
  );
}
