import { AppError } from '../../domain/errors.js';
import type { CheckinEvent, CheckinSession } from '../../domain/event.js';
import type { EventsRepo, ScannableFilter } from '../../store/events.js';
import type { User } from '../../store/users.js';
import type { DeviceInfo } from '../../store/scanner-devices.js';
import type { UnitContext } from '../../store/units-of-work.js';
import type { Scanner } from './scanner-auth.js';

/**
 * The check-in access policy, in one place: who may scan at, look after and
 * read what. Routes, services and the scanner-session query all ask here.
 *
 * - A session: admins, the staff assigned to it, and devices provisioned for
 *   its event (or for that one session).
 * - An event's scanner data (public key, attendee list): admins, staff of any
 *   of its sessions, and its devices.
 * - Attendees' emails: admins alone.
 */

/** Throws unless `user` is an admin or staff of `session`. */
export async function requireStaff(events: EventsRepo, user: User, session: CheckinSession): Promise<void> {
  if (user.role === 'admin') return;
  if (!(await events.isStaff(session.id, user.id))) throw new AppError('forbidden', 'only staff of this session may do this');
}

/** The session, for its dashboard, name search and attendance: admins and its staff. */
export async function staffedSession(events: EventsRepo, user: User, sessionId: string): Promise<CheckinSession> {
  const session = await events.session(sessionId);
  if (!session) throw new AppError('not_found', 'no such session');
  await requireStaff(events, user, session);
  return session;
}

/** The session, for scanning at it: a signed-in scanner as `staffedSession`, a device if provisioned for it. */
export async function scannerSession(events: EventsRepo, scanner: Scanner, sessionId: string): Promise<CheckinSession> {
  if (scanner.kind === 'user') return staffedSession(events, scanner.user, sessionId);
  return deviceSession(events, scanner.device, sessionId);
}

/** The session, for a device scanning at it: only one provisioned for its event (or that session). `on`: see EventsRepo.session. */
export async function deviceSession(events: EventsRepo, d: DeviceInfo, sessionId: string, on?: UnitContext): Promise<CheckinSession> {
  const session = await events.session(sessionId, on);
  if (!session) throw new AppError('not_found', 'no such session');
  if (d.eventId !== session.eventId || (d.sessionId !== null && d.sessionId !== session.id)) throw new AppError('forbidden', 'this scanner is not provisioned for this session');
  return session;
}

/** The event, for what a scanner keeps of it offline: admins, staff of any of its sessions, its devices. */
export async function scannerEvent(events: EventsRepo, scanner: Scanner, eventId: string): Promise<CheckinEvent> {
  const ev = await events.event(eventId);
  if (!ev) throw new AppError('not_found', 'no such event');
  const ok = scanner.kind === 'device' ? scanner.device.eventId === ev.id : scanner.user.role === 'admin' || (await events.staffsEvent(ev.id, scanner.user.id));
  if (!ok) throw new AppError('forbidden', 'only organisers, staff and scanners of this event may see this');
  return ev;
}

/** The same rule as `scannerSession`, as a query filter: the sessions `scanner` may pick. */
export const scannableBy = (s: Scanner): ScannableFilter => {
  if (s.kind === 'device') return { eventId: s.device.eventId, sessionId: s.device.sessionId ?? undefined };
  return s.user.role === 'admin' ? {} : { staffUserId: s.user.id };
};

export const seesEmails = (scanner: Scanner): boolean => scanner.kind === 'user' && scanner.user.role === 'admin';
