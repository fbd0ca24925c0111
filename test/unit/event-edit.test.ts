import { describe, expect, it } from 'vitest';
import { editEvent, editSession } from '../../src/domain/event-edit.js';
import type { CheckinEvent, CheckinSession } from '../../src/domain/event.js';

const T = 1_800_000_000_000;
const H = 3600_000;
const event: CheckinEvent = { id: 'e', name: 'Summit', startsAt: T, endsAt: T + 8 * H, publicKey: 'pk', privateKey: 'sk', createdBy: null, createdAt: 0, version: 3, archivedAt: null };
const session: CheckinSession = {
  id: 's',
  eventId: 'e',
  name: 'Keynote',
  place: 'Hall A',
  startsAt: T,
  endsAt: T + H,
  opensAt: T - H / 2,
  closesAt: T + H,
  closedAt: null,
  allAttendees: false,
  version: 7,
  createdAt: 0,
  archivedAt: null,
};

describe('editing events and sessions', () => {
  it('changes only the fields given, trimmed, keeping the version for the compare-and-set', () => {
    expect(editEvent(event, { name: '  Summit 2031 ' })).toEqual({ ...event, name: 'Summit 2031' });
    expect(editEvent(event, { endsAt: T + H })).toEqual({ ...event, endsAt: T + H });
    expect(editSession(session, { place: '  ' }, T)).toEqual({ ...session, place: null });
    expect(editSession(session, { place: null, allAttendees: true }, T)).toEqual({ ...session, place: null, allAttendees: true });
    expect(editSession(session, {}, T)).toEqual(session);
  });

  it('refuses an event or session that would end before it starts, or a window that closes before it opens', () => {
    expect(() => editEvent(event, { endsAt: T })).toThrow(expect.objectContaining({ code: 'invalid_request' }));
    expect(() => editEvent(event, { startsAt: T + 9 * H })).toThrow(expect.objectContaining({ code: 'invalid_request' }));
    expect(() => editEvent(event, { name: '   ' })).toThrow(expect.objectContaining({ code: 'invalid_request' }));
    expect(() => editSession(session, { endsAt: T - 1 }, T)).toThrow(expect.objectContaining({ code: 'invalid_request' }));
    expect(() => editSession(session, { closesAt: T - H }, T)).toThrow(expect.objectContaining({ code: 'invalid_request' }));
    expect(() => editSession(session, { opensAt: T + H }, T)).toThrow(expect.objectContaining({ code: 'invalid_request' }));
  });

  it('closes by hand at the first close, keeps that time when closed again, and reopens', () => {
    const closed = editSession(session, { closed: true }, T + 5);
    expect(closed.closedAt).toBe(T + 5);
    expect(editSession(closed, { closed: true }, T + 99).closedAt).toBe(T + 5);
    expect(editSession(closed, { closed: false }, T + 99).closedAt).toBeNull();
    expect(editSession(closed, { name: 'Renamed' }, T + 99).closedAt).toBe(T + 5);
  });
});
