import { AppError } from '../../domain/errors.js';
import type { CheckinSession } from '../../domain/event.js';
import type { EventsRepo } from '../../store/events.js';
import type { User } from '../../store/users.js';
import type { Scanner } from './scanner-auth.js';

/**
 * Who may look after a session (its dashboard, name search, attendance):
 * admins, the staff assigned to it, and (search only) devices provisioned for
 * it. Emails are for admins alone.
 */
export async function staffedSession(events: EventsRepo, user: User, sessionId: string): Promise<CheckinSession> {
  const session = await events.session(sessionId);
  if (!session) throw new AppError('not_found', 'no such session');
  if (user.role !== 'admin' && !(await events.isStaff(session.id, user.id))) throw new AppError('forbidden', 'only staff of this session may do this');
  return session;
}

export async function scannerSession(events: EventsRepo, scanner: Scanner, sessionId: string): Promise<CheckinSession> {
  if (scanner.kind === 'user') return staffedSession(events, scanner.user, sessionId);
  const session = await events.session(sessionId);
  if (!session) throw new AppError('not_found', 'no such session');
  const d = scanner.device;
  if (d.eventId !== session.eventId || (d.sessionId !== null && d.sessionId !== session.id)) throw new AppError('forbidden', 'this scanner is not provisioned for this session');
  return session;
}

export const seesEmails = (scanner: Scanner): boolean => scanner.kind === 'user' && scanner.user.role === 'admin';
