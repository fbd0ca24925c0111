import { AppError } from './errors.js';
import type { CheckinEvent, CheckinSession } from './event.js';

/**
 * Editing an event or a session: the changes an organiser asks for, applied
 * to the record as it is now, and the rules the result must keep. Pure: the
 * flow reads the record, calls these, and writes the result with a
 * compare-and-set on its version (reading again when another edit won), so
 * two edits that are each fine alone cannot together leave a session that
 * ends before it starts.
 */

/** What an event edit may change; a field left out keeps its value. */
export interface EventChanges {
  name?: string | undefined;
  startsAt?: number | undefined;
  endsAt?: number | undefined;
}

/** What a session edit may change; a field left out keeps its value. */
export interface SessionChanges {
  name?: string | undefined;
  /** Null or blank clears it. */
  place?: string | null | undefined;
  startsAt?: number | undefined;
  endsAt?: number | undefined;
  opensAt?: number | undefined;
  closesAt?: number | undefined;
  allAttendees?: boolean | undefined;
  /** Close (or reopen) check-in by hand. */
  closed?: boolean | undefined;
}

function name(given: string | undefined, current: string): string {
  if (given === undefined) return current;
  const trimmed = given.trim();
  if (!trimmed) throw new AppError('invalid_request', 'name must not be blank');
  return trimmed;
}

/** The event with `changes` applied; throws `invalid_request` when it would end before it starts. */
export function editEvent(current: CheckinEvent, changes: EventChanges): CheckinEvent {
  const next = { ...current, name: name(changes.name, current.name), startsAt: changes.startsAt ?? current.startsAt, endsAt: changes.endsAt ?? current.endsAt };
  if (next.endsAt <= next.startsAt) throw new AppError('invalid_request', 'ends_at must be after starts_at');
  return next;
}

/**
 * The session with `changes` applied at `now`; throws `invalid_request` when
 * it would end before it starts, or check-in close before it opens. Closing
 * keeps the time it was first closed.
 */
export function editSession(current: CheckinSession, changes: SessionChanges, now: number): CheckinSession {
  const place = changes.place === undefined ? current.place : changes.place?.trim() || null;
  const closedAt = changes.closed === undefined ? current.closedAt : changes.closed ? (current.closedAt ?? now) : null;
  const next: CheckinSession = {
    ...current,
    name: name(changes.name, current.name),
    place,
    startsAt: changes.startsAt ?? current.startsAt,
    endsAt: changes.endsAt ?? current.endsAt,
    opensAt: changes.opensAt ?? current.opensAt,
    closesAt: changes.closesAt ?? current.closesAt,
    allAttendees: changes.allAttendees ?? current.allAttendees,
    closedAt,
  };
  if (next.endsAt <= next.startsAt) throw new AppError('invalid_request', 'a session must end after it starts');
  if (next.closesAt <= next.opensAt) throw new AppError('invalid_request', 'check-in must close after it opens');
  return next;
}
