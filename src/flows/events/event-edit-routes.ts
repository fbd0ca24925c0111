import { Type } from '@fastify/type-provider-typebox';
import { principalOf } from '../../auth/http-auth.js';
import { errorResponses, IdParams } from '../../http/schemas.js';
import type { App } from '../../http/types.js';
import type { EventEdits } from './event-edits.js';
import { ArchiveBody, Deleted, EventPatch, SessionPatch } from './event-schemas.js';

const archiveDescription = 'Archived: left out of the default events list and of the scanners\' session picker; its attendees, check-ins and dashboard stay. `{"archived": false}` brings it back.';

/** Organisers changing events and sessions: edit, delete (only what nobody checked in to), archive and bring back. */
export function eventEditRoutes(app: App, edits: EventEdits): void {
  app.patch(
    '/events/:id',
    {
      schema: {
        tags: ['checkin'],
        summary: "Edit an event's name or times (a field left out keeps its value)",
        params: IdParams,
        body: EventPatch,
        response: { 200: Type.Ref('CheckinEvent'), ...errorResponses('invalid_request', 'unauthorized', 'csrf_failed', 'forbidden', 'not_found', 'conflict') },
      },
    },
    async (req) => edits.editEvent(principalOf(req).user.id, req.params.id, req.body),
  );

  app.delete(
    '/events/:id',
    {
      schema: {
        tags: ['checkin'],
        summary: 'Delete an event with its sessions, attendees and scanners; refused once anyone was checked in at it (archive it then)',
        params: IdParams,
        response: { 200: Deleted, ...errorResponses('invalid_request', 'unauthorized', 'csrf_failed', 'forbidden', 'not_found', 'event_has_checkins') },
      },
    },
    async (req) => edits.deleteEvent(principalOf(req).user.id, req.params.id),
  );

  app.post(
    '/events/:id/archive',
    {
      schema: {
        tags: ['checkin'],
        summary: 'Archive an event, or bring it back',
        description: archiveDescription,
        params: IdParams,
        body: ArchiveBody,
        response: { 200: Type.Ref('CheckinEvent'), ...errorResponses('invalid_request', 'unauthorized', 'csrf_failed', 'forbidden', 'not_found', 'conflict') },
      },
    },
    async (req) => edits.archiveEvent(principalOf(req).user.id, req.params.id, req.body.archived),
  );

  app.patch(
    '/sessions/:id',
    {
      schema: {
        tags: ['checkin'],
        summary: 'Edit a session (name, place, times, check-in window, open to all) or close and reopen check-in by hand',
        description: 'A field left out keeps its value. Dashboards and scanners watching the session are told at once.',
        params: IdParams,
        body: SessionPatch,
        response: { 200: Type.Ref('CheckinSession'), ...errorResponses('invalid_request', 'unauthorized', 'csrf_failed', 'forbidden', 'not_found', 'conflict') },
      },
    },
    async (req) => edits.editSession(principalOf(req).user.id, req.params.id, req.body),
  );

  app.delete(
    '/sessions/:id',
    {
      schema: {
        tags: ['checkin'],
        summary: 'Delete a session; refused once anyone was checked in at it (archive it then)',
        params: IdParams,
        response: { 200: Deleted, ...errorResponses('invalid_request', 'unauthorized', 'csrf_failed', 'forbidden', 'not_found', 'session_has_checkins') },
      },
    },
    async (req) => edits.deleteSession(principalOf(req).user.id, req.params.id),
  );

  app.post(
    '/sessions/:id/archive',
    {
      schema: {
        tags: ['checkin'],
        summary: 'Archive a session, or bring it back',
        description: archiveDescription,
        params: IdParams,
        body: ArchiveBody,
        response: { 200: Type.Ref('CheckinSession'), ...errorResponses('invalid_request', 'unauthorized', 'csrf_failed', 'forbidden', 'not_found', 'conflict') },
      },
    },
    async (req) => edits.archiveSession(principalOf(req).user.id, req.params.id, req.body.archived),
  );
}
