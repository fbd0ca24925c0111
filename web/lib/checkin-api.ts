/**
 * The check-in API as the pass and scanner pages use it. The scanner calls it
 * either with the signed-in staff account (cookie + CSRF, through `api()`) or,
 * on a provisioned device, with the device token (`Authorization: Bearer spd_...`)
 * kept in localStorage.
 */
import type { CheckinSession } from './admin-events-api.js';
import { api, ApiError } from './api.js';
import type { PassCheckin } from '../../src/domain/checkin.js';

export interface Live {
  channel: string;
  token: string;
  expires_at: number;
}

export interface PassCode {
  window: number;
  shown_from: number;
  shown_until: number;
  accepted_until: number;
  code: string;
}

export interface LastScan {
  result: string;
  reason: string | null;
  session: { id: string; name: string };
  at: number;
  gate: string | null;
  direction: string;
}

export type { PassCheckin };

/** What the `pass:` channel carries. */
export interface PassState {
  attendee: { id: string; name: string; event_id: string; revoked: boolean };
  last_scan: LastScan | null;
  checkins: PassCheckin[];
}

export interface Pass extends PassState {
  version: number;
  event: { id: string; name: string; starts_at: number; ends_at: number };
  sessions: { id: string; name: string; place: string | null; starts_at: number; ends_at: number }[];
  server_time: number;
  window_seconds: number;
  codes: PassCode[];
  live: Live;
}

/** A session a scanner may work: the session as the admin API has it, plus its event's name. */
export interface ScannerSession extends CheckinSession {
  event_name: string;
}

export interface ScanAnswer {
  result: 'ok' | 'rejected';
  reason: string | null;
  message: string;
  action: 'check_in' | 're_enter' | 'check_out' | null;
  session_id: string;
  scanned_at: number;
  attendee: { id: string; name: string } | null;
  checkin: { id: string; session_id: string; at: number; gate: string | null; exited_at: number | null } | null;
}

export interface Counts {
  version: number;
  counts: { expected: number; checked_in: number; not_yet: number; inside: number };
  live: Live;
}

export const fetchPassForEvent = (eventId: string) => api<Pass>('GET', `/api/v1/passes/${encodeURIComponent(eventId)}`);
export const fetchPassByLink = (token: string) => api<Pass>('GET', `/api/v1/passes/by-link/${encodeURIComponent(token)}`);

const DEVICE_KEY = 'scanpass_device_token';

export function deviceToken(): string | null {
  try {
    return localStorage.getItem(DEVICE_KEY);
  } catch {
    return null;
  }
}

export function setDeviceToken(token: string | null): void {
  try {
    if (token) localStorage.setItem(DEVICE_KEY, token);
    else localStorage.removeItem(DEVICE_KEY);
  } catch {
    // storage disabled: the device must be provisioned again after a reload
  }
}

/** A scanner call: as the device when this browser holds a device token, else as the signed-in user. */
export async function scannerApi<T>(method: string, path: string, body?: unknown): Promise<T> {
  const token = deviceToken();
  if (!token) return api<T>(method, path, body);
  let res: Response;
  try {
    res = await fetch(path, {
      method,
      headers: { accept: 'application/json', authorization: `Bearer ${token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      credentials: 'omit',
      cache: 'no-store',
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
  } catch (err) {
    throw new ApiError('network_error', err instanceof Error ? err.message : 'network error', 0);
  }
  const data = (await res.json().catch(() => ({}))) as { error?: string; message?: string };
  if (!res.ok) throw new ApiError(data.error ?? (res.status === 401 ? 'unauthorized' : 'unknown'), data.message ?? `HTTP ${res.status}`, res.status);
  return data as T;
}
