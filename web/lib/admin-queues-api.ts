/**
 * The admin console's QR queue calls: places (queues) with their services and
 * counters, opening and closing a service, staff of a place and the entrance
 * code, the place's boards and kiosks, and its poster. Writes carry the CSRF token through `api()`.
 */
import type { EntranceCode, PosterCode, QueueBody, QueueDeviceView, QueueStaffList, QueueView, ServiceBody, ServiceView } from '../../src/flows/queue/queue-schemas.js';
import { api } from './api.js';

// The server schemas' own `Static<>` types, imported as types only: no TypeBox reaches the page.
export type Queue = QueueView;
export type QueueService = ServiceView;
export type NewQueue = QueueBody;
export type NewService = ServiceBody;
export type Entrance = EntranceCode;
export type Ask = ServiceView['ask'];
export type StaffList = QueueStaffList;
export const ASKS: readonly Ask[] = ['none', 'name', 'phone'];

/** Same rule as the server's prefix pattern: 1–3 upper-case letters. */
export const PREFIX_RE = /^[A-Z]{1,3}$/;
/** The server's defaults and bounds for a service's numbers. */
export const SERVICE_NUMBERS = {
  max_waiting: { min: 1, max: 100_000, default: 500 },
  near_ahead: { min: 0, max: 1000, default: 3 },
  no_show_seconds: { min: 10, max: 86_400, default: 180 },
} as const;

/** The same test the server makes: a zone Intl knows, not a bare offset. Returns its canonical name, or null. */
export function canonicalZone(tz: string): string | null {
  if (!tz || tz.length > 64 || /^[+-]/.test(tz)) return null;
  try {
    return new Intl.DateTimeFormat('en-US', { timeZone: tz }).resolvedOptions().timeZone;
  } catch {
    return null;
  }
}

const enc = encodeURIComponent;

export async function listQueues(): Promise<Queue[]> {
  return (await api<{ queues: Queue[] }>('GET', '/api/v1/queues')).queues;
}
export function createQueue(input: NewQueue): Promise<Queue> {
  return api('POST', '/api/v1/queues', input);
}
export function getQueue(id: string): Promise<Queue> {
  return api('GET', `/api/v1/queues/${enc(id)}`);
}
export function setServiceOpen(queueId: string, serviceId: string, open: boolean): Promise<QueueService> {
  return api('PATCH', `/api/v1/queues/${enc(queueId)}/services/${enc(serviceId)}`, { open });
}
/** Who staffs the place. */
export function getQueueStaff(queueId: string): Promise<QueueStaffList> {
  return api('GET', `/api/v1/queues/${enc(queueId)}/staff`);
}

export function setQueueStaff(queueId: string, userId: string, on: boolean): Promise<{ queue_id: string; user_id: string; staff: boolean }> {
  return api(on ? 'PUT' : 'DELETE', `/api/v1/queues/${enc(queueId)}/staff/${enc(userId)}`);
}
export function getEntranceCode(queueId: string): Promise<Entrance> {
  return api('GET', `/api/v1/queues/${enc(queueId)}/entrance-code`);
}

export const boardUrl = (queueId: string) => `/queue-board?q=${enc(queueId)}`;
export const counterUrl = (queueId: string) => `/queue-counter?q=${enc(queueId)}`;

// A place's boards and kiosks (the token and the URL the device opens are shown once), and its static poster.
export type QueueDevice = QueueDeviceView;
export type Poster = PosterCode;
export type NewQueueDevice = QueueDevice & { token: string; url: string };
export const fetchQueueDevices = (id: string) => api<{ devices: QueueDevice[] }>('GET', `/api/v1/queues/${enc(id)}/devices`);
export const provisionQueueDevice = (id: string, name: string, kind: 'board' | 'kiosk') => api<NewQueueDevice>('POST', `/api/v1/queues/${enc(id)}/devices`, { name, kind });
export const revokeQueueDevice = (id: string, deviceId: string) => api<QueueDevice>('DELETE', `/api/v1/queues/${enc(id)}/devices/${enc(deviceId)}`);
export const setPosterEnabled = (id: string, on: boolean) => api<Queue>('PATCH', `/api/v1/queues/${enc(id)}`, { poster_enabled: on });
export const fetchPosterCode = (id: string) => api<Poster>('GET', `/api/v1/queues/${enc(id)}/poster-code`);
