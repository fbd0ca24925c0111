import type { Attendee, CheckinEvent, CheckinSession, ScannerDevice } from '../../domain/event.js';
import type { StaffMember } from '../../domain/user.js';

/**
 * The organiser's API's response bodies, built from the domain records the
 * repositories hand out (the shapes are declared in event-schemas.ts).
 */

export const eventView = (e: CheckinEvent) => ({ id: e.id, name: e.name, starts_at: e.startsAt, ends_at: e.endsAt, public_key: e.publicKey, created_at: e.createdAt, archived: e.archivedAt !== null });

export const sessionView = (s: CheckinSession) => ({
  id: s.id,
  event_id: s.eventId,
  name: s.name,
  place: s.place,
  starts_at: s.startsAt,
  ends_at: s.endsAt,
  opens_at: s.opensAt,
  closes_at: s.closesAt,
  closed: s.closedAt !== null,
  all_attendees: s.allAttendees,
  archived: s.archivedAt !== null,
});

export const attendeeView = (a: Attendee) => ({ id: a.id, event_id: a.eventId, user_id: a.userId, name: a.name, email: a.email, revoked: a.revokedAt !== null, created_at: a.createdAt });

/** Without its token: that is shown once, by provisioning. */
export const deviceView = (d: ScannerDevice) => ({ id: d.id, event_id: d.eventId, session_id: d.sessionId, name: d.name, created_at: d.createdAt, revoked: d.revokedAt !== null });

export const staffView = (m: StaffMember) => ({ id: m.id, name: m.name, email: m.email, created_at: m.since });
