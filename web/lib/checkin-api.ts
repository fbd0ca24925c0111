/**
 * The check-in API as the pass and scanner pages use it. The scanner calls it
 * either with the signed-in staff account (cookie + CSRF, through `api()`) or,
 * on a provisioned device, with the device token (`Authorization: Bearer spd_...`)
 * kept in localStorage.
 */
import type { CountsView, PassView, ScanAnswer } from '../../src/flows/checkin/checkin-schemas.js';
import type { ScannerSession, ScannerSessions } from '../../src/flows/events/event-schemas.js';
import type { LiveGrant } from '../../src/live/live-grant-schema.js';
import { api, deviceApi } from './api.js';

// The server schemas' own `Static<>` types, imported as types only: no TypeBox reaches the page.
/** A session a scanner may work: the session as the admin API has it, plus its event's name. */
export type { ScanAnswer, ScannerSession, ScannerSessions };
export type Live = LiveGrant;
export type Pass = PassView;
export type PassCode = Pass['codes'][number];
export type LastScan = NonNullable<Pass['last_scan']>;
export type PassCheckin = Pass['checkins'][number];
/** What the `pass:` channel carries. */
export type PassState = Pick<Pass, 'attendee' | 'last_scan' | 'checkins'>;
export type Counts = CountsView;


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
  return token ? deviceApi<T>(token, method, path, body) : api<T>(method, path, body);
}
