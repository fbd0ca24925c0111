/**
 * The API as the session dashboard uses it: live counts with the latest
 * scans, the name search, manual check-in, undo, and the CSV import (the one
 * call whose body is a file, not JSON).
 */
import { api, ApiError } from './api.js';
import type { Live, ScanAnswer } from './checkin-api.js';
import type { ImportReport } from './admin-events-api.js';

export type { ImportReport, ImportRowError } from './admin-events-api.js';

export interface LatestScan {
  id: number;
  at: number;
  recorded_at: number;
  result: 'ok' | 'rejected';
  reason: string | null;
  direction: 'entry' | 'exit';
  method: 'code' | 'manual';
  gate: string | null;
  by: string;
  attendee: { id: string; name: string } | null;
  checkin_id: string | null;
  checkin_live: boolean;
  earlier: { at: number; gate: string | null } | null;
}

/** What the `session:` channel carries. */
export interface SessionState {
  session: { id: string; event_id: string; name: string; place: string | null; starts_at: number; ends_at: number; closed: boolean };
  counts: { expected: number; checked_in: number; not_yet: number; inside: number };
  latest: LatestScan[];
}

export interface SessionCounts extends SessionState {
  version: number;
  live: Live;
}

export type SearchStatus = 'checked_in' | 'checked_out' | 'not_yet' | 'not_registered' | 'revoked';

export interface FoundAttendee {
  id: string;
  name: string;
  email?: string | null;
  status: SearchStatus;
  checkin: { id: string; at: number; gate: string | null; by: string | null } | null;
}


const enc = encodeURIComponent;

export const fetchCounts = (sessionId: string) => api<SessionCounts>('GET', `/api/v1/sessions/${enc(sessionId)}/counts`);

export const searchAttendees = (sessionId: string, q: string) =>
  api<{ attendees: FoundAttendee[] }>('GET', `/api/v1/sessions/${enc(sessionId)}/attendees?q=${enc(q)}`).then((r) => r.attendees);

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
