/**
 * The admin console's check-in calls: events, sessions, attendees (and the CSV
 * import), staff, scanner devices and the event's webhook. Admin only; writes
 * carry the CSRF token.
 */
import type { ImportReport } from '../../src/domain/attendee-row.js';
import type { CreatedAttendee, DeviceView, EventBody, EventView, SessionBody, SessionView, StaffMember } from '../../src/flows/events/event-schemas.js';
import type { OfflineAttendee } from '../../src/flows/checkin/checkin-schemas.js';
import type { DeliveryView, WebhookView } from '../../src/webhooks/webhook-schemas.js';
import type { DeliveriesAnswer, PassDeliveryView } from '../../src/flows/events/pass-delivery-schemas.js';
import { api, ApiError, getCsrfToken, type User } from './api.js';

// The server schemas' own `Static<>` types, imported as types only: no TypeBox reaches the page.
export type CheckinEvent = EventView;
export type CheckinSession = SessionView;
export type NewSession = SessionBody;
/** `token` only in the answer to provisioning. */
export type Device = DeviceView;
export type Webhook = WebhookView;
export type Delivery = DeliveryView;
/** An attendee as the event's attendee list has it (with their session ids). */
export type Attendee = OfflineAttendee;
export type { CreatedAttendee, StaffMember };

export type { ImportReport, RowError as ImportRowError } from '../../src/domain/attendee-row.js';

const enc = encodeURIComponent;

export async function listEvents(): Promise<CheckinEvent[]> {
  return (await api<{ events: CheckinEvent[] }>('GET', '/api/v1/events?limit=1000')).events;
}
export function createEvent(input: EventBody): Promise<CheckinEvent> {
  return api('POST', '/api/v1/events', input);
}
export function getEvent(id: string): Promise<CheckinEvent & { sessions: CheckinSession[] }> {
  return api('GET', `/api/v1/events/${enc(id)}`);
}

export function createSession(eventId: string, input: NewSession): Promise<CheckinSession> {
  return api('POST', `/api/v1/events/${enc(eventId)}/sessions`, input);
}
export function setSessionClosed(sessionId: string, closed: boolean): Promise<CheckinSession> {
  return api('PATCH', `/api/v1/sessions/${enc(sessionId)}`, { closed });
}

export async function listAttendees(eventId: string): Promise<Attendee[]> {
  const all: Attendee[] = [];
  for (let offset = 0; ; offset += 1000) {
    const page = (await api<{ attendees: Attendee[] }>('GET', `/api/v1/events/${enc(eventId)}/attendees?limit=1000&offset=${offset}`)).attendees;
    all.push(...page);
    if (page.length < 1000 || all.length >= 20_000) return all;
  }
}
export function addAttendee(eventId: string, input: { name: string; email?: string; session_ids?: string[]; language?: 'en' | 'zh-CN' }): Promise<CreatedAttendee> {
  return api('POST', `/api/v1/events/${enc(eventId)}/attendees`, input);
}
export function revokeAttendee(id: string): Promise<unknown> {
  return api('DELETE', `/api/v1/attendees/${enc(id)}`);
}
export function newPassLink(id: string): Promise<{ link_token: string; link_url: string }> {
  return api('POST', `/api/v1/attendees/${enc(id)}/link`);
}
export function setRegistered(sessionId: string, attendeeId: string, on: boolean): Promise<unknown> {
  return on ? api('POST', `/api/v1/sessions/${enc(sessionId)}/registrations`, { attendee_id: attendeeId }) : api('DELETE', `/api/v1/sessions/${enc(sessionId)}/registrations/${enc(attendeeId)}`);
}

/** Sends the file itself as text/csv (not JSON), with the CSRF token. */
export async function importAttendees(eventId: string, csv: Blob | string, opts: { dryRun: boolean; upsert: boolean; sessionId?: string }): Promise<ImportReport> {
  const q = new URLSearchParams({ dry_run: String(opts.dryRun), mode: opts.upsert ? 'upsert' : 'create' });
  if (opts.sessionId) q.set('session_id', opts.sessionId);
  const headers: Record<string, string> = { accept: 'application/json', 'content-type': 'text/csv' };
  const csrf = getCsrfToken();
  if (csrf) headers['x-csrf-token'] = csrf;
  let res: Response;
  try {
    res = await fetch(`/api/v1/events/${enc(eventId)}/attendees/import?${q}`, { method: 'POST', headers, body: csv, credentials: 'same-origin', cache: 'no-store' });
  } catch (err) {
    throw new ApiError('network_error', err instanceof Error ? err.message : 'network error', 0);
  }
  const data = (await res.json().catch(() => ({}))) as Record<string, unknown>;
  if (!res.ok) {
    const code = typeof data.error === 'string' ? data.error : res.status === 413 ? 'payload_too_large' : res.status >= 500 ? 'internal_error' : 'unknown';
    throw new ApiError(code, typeof data.message === 'string' ? data.message : `HTTP ${res.status}`, res.status);
  }
  return data as unknown as ImportReport;
}

export const attendanceCsvUrl = (eventId: string) => `/api/v1/events/${enc(eventId)}/attendance.csv`;

/** Passes by e-mail: one attendee's delivery, and the list with a job's progress. */
export type PassDelivery = PassDeliveryView;
export type PassDeliveries = DeliveriesAnswer;
/** Starts a send job: everyone not yet sent, or exactly `attendeeIds` (a resend). */
export function sendPasses(eventId: string, attendeeIds?: string[]): Promise<{ job_id: string; queued: number; failed: number }> {
  return api('POST', `/api/v1/events/${enc(eventId)}/passes/send`, attendeeIds ? { attendee_ids: attendeeIds } : {});
}
export function passDeliveries(eventId: string, jobId?: string): Promise<PassDeliveries> {
  return api('GET', `/api/v1/events/${enc(eventId)}/passes/deliveries${jobId ? `?job_id=${enc(jobId)}` : ''}`);
}
export const passLinksCsvUrl = (eventId: string) => `/api/v1/events/${enc(eventId)}/passes/links.csv`;

export async function listUsers(): Promise<User[]> {
  return (await api<{ users: User[] }>('GET', '/api/v1/users?limit=500')).users;
}
export async function listStaff(sessionId: string): Promise<StaffMember[]> {
  return (await api<{ staff: StaffMember[] }>('GET', `/api/v1/sessions/${enc(sessionId)}/staff`)).staff;
}
export function setStaff(sessionId: string, userId: string, on: boolean): Promise<unknown> {
  return on ? api('POST', `/api/v1/sessions/${enc(sessionId)}/staff`, { user_id: userId }) : api('DELETE', `/api/v1/sessions/${enc(sessionId)}/staff/${enc(userId)}`);
}

export async function listDevices(eventId: string): Promise<Device[]> {
  return (await api<{ devices: Device[] }>('GET', `/api/v1/events/${enc(eventId)}/devices`)).devices;
}
export function provisionDevice(eventId: string, input: { name: string; session_id?: string }): Promise<Device> {
  return api('POST', `/api/v1/events/${enc(eventId)}/devices`, input);
}
export function revokeDevice(id: string): Promise<Device> {
  return api('DELETE', `/api/v1/devices/${enc(id)}`);
}
/** The page a tablet opens by scanning the console's QR: it keeps the token and becomes a scanner. */
export const deviceScannerUrl = (origin: string, token: string) => `${origin}/scanner?device_token=${enc(token)}`;

/** The event's webhook, or null when none is set. */
export async function getWebhook(eventId: string): Promise<Webhook | null> {
  try {
    return await api<Webhook>('GET', `/api/v1/events/${enc(eventId)}/webhook`);
  } catch (err) {
    if (err instanceof ApiError && err.code === 'webhook_not_configured') return null;
    throw err;
  }
}
export function putWebhook(eventId: string, input: { url: string; enabled?: boolean; rotate_secret?: boolean }): Promise<Webhook> {
  return api('PUT', `/api/v1/events/${enc(eventId)}/webhook`, input);
}
export function pingWebhook(eventId: string): Promise<Delivery> {
  return api('POST', `/api/v1/events/${enc(eventId)}/webhook/test`);
}
export async function listDeliveries(eventId: string): Promise<Delivery[]> {
  return (await api<{ deliveries: Delivery[] }>('GET', `/api/v1/events/${enc(eventId)}/webhook/deliveries?limit=20`)).deliveries;
}
