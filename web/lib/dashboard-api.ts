/**
 * The API as the session dashboard uses it: live counts with the latest
 * scans, the name search, manual check-in, undo, and who has not arrived yet
 * (the CSV import is the console's: admin-events-api.ts).
 */
import type { CountsView } from '../../src/flows/checkin/checkin-schemas.js';
import type { NotArrivedAnswer, SearchAnswer } from '../../src/flows/attendance/attendance-schemas.js';
import { api } from './api.js';
import type { ScanAnswer } from './checkin-api.js';

/** The counts API's answer: the server schema's own type (type-only import). */
export type SessionCounts = CountsView;
export type LatestScan = SessionCounts['latest'][number];
/** What the `session:` channel carries. */
export type SessionState = Omit<SessionCounts, 'version' | 'live'>;

export type FoundAttendee = SearchAnswer['attendees'][number];
export type SearchStatus = FoundAttendee['status'];

const enc = encodeURIComponent;

export const fetchCounts = (sessionId: string) => api<SessionCounts>('GET', `/api/v1/sessions/${enc(sessionId)}/counts`);

export const searchAttendees = (sessionId: string, q: string) =>
  api<SearchAnswer>('GET', `/api/v1/sessions/${enc(sessionId)}/attendees?q=${enc(q)}`).then((r) => r.attendees);

/** A fresh nonce per check-in: the server answers a retried nonce with the first answer. */
export const checkInByHand = (sessionId: string, attendeeId: string, nonce: string) =>
  api<ScanAnswer>('POST', '/api/v1/checkins/manual', { session_id: sessionId, attendee_id: attendeeId, nonce, direction: 'entry' });

export const undoCheckin = (checkinId: string) => api<{ id: string; undone: boolean }>('DELETE', `/api/v1/checkins/${enc(checkinId)}`);

export const sessionExportUrl = (sessionId: string) => `/api/v1/sessions/${enc(sessionId)}/attendance.csv`;
export const eventExportUrl = (eventId: string) => `/api/v1/events/${enc(eventId)}/attendance.csv`;

/** Who the session expects and has not come yet: a page of them (name order) and how many match. */
export const fetchNotArrived = (sessionId: string, q: string, limit: number, offset = 0) =>
  api<NotArrivedAnswer>('GET', `/api/v1/sessions/${enc(sessionId)}/not-arrived?${new URLSearchParams({ q, limit: String(limit), offset: String(offset) })}`);
export type MissingAttendee = NotArrivedAnswer['attendees'][number];
/** The same list as CSV (narrowed by `q` when given). */
export const notArrivedCsvUrl = (sessionId: string, q: string) => `/api/v1/sessions/${enc(sessionId)}/not-arrived.csv${q ? `?q=${enc(q)}` : ''}`;
