/**
 * The API as the session dashboard uses it: live counts with the latest
 * scans, the name search, manual check-in, undo, and the CSV import (the one
 * call whose body is a file, not JSON).
 */
import type { CountsView } from '../../src/flows/checkin/checkin-schemas.js';
import type { SearchAnswer } from '../../src/flows/attendance/attendance-schemas.js';
import { api, ApiError } from './api.js';
import type { ScanAnswer } from './checkin-api.js';
import type { ImportReport } from './admin-events-api.js';

export type { ImportReport, ImportRowError } from './admin-events-api.js';

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

/** Sends the file as it is (text/csv); the server reads its encoding and delimiter. */
export async function importCsv(eventId: string, file: Blob, csrf: string | undefined, o: { upsert: boolean; dryRun: boolean; sessionId?: string }): Promise<ImportReport> {
  const q = new URLSearchParams({ mode: o.upsert ? 'upsert' : 'create', dry_run: String(o.dryRun), ...(o.sessionId ? { session_id: o.sessionId } : {}) });
  let res: Response;
  try {
    res = await fetch(`/api/v1/events/${enc(eventId)}/attendees/import?${q}`, {
      method: 'POST',
      headers: { accept: 'application/json', 'content-type': 'text/csv', ...(csrf ? { 'x-csrf-token': csrf } : {}) },
      credentials: 'same-origin',
      cache: 'no-store',
      body: file,
    });
  } catch (err) {
    throw new ApiError('network_error', err instanceof Error ? err.message : 'network error', 0);
  }
  const data = (await res.json().catch(() => ({}))) as Partial<ImportReport> & { error?: string; message?: string };
  if (!res.ok) throw new ApiError(data.error ?? 'unknown', data.message ?? `HTTP ${res.status}`, res.status);
  return data as ImportReport;
}
