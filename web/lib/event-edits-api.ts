/**
 * The console's calls that change what exists: edit, delete and archive
 * events and sessions, and the archived events list. Admin only; writes carry
 * the CSRF token (api.ts).
 */
import type { EventPatch, SessionPatch } from '../../src/flows/events/event-schemas.js';
import { api } from './api.js';
import type { CheckinEvent, CheckinSession } from './admin-events-api.js';

const enc = encodeURIComponent;

export const editEvent = (id: string, patch: EventPatch) => api<CheckinEvent>('PATCH', `/api/v1/events/${enc(id)}`, patch);
/** Refused with `event_has_checkins` once anyone was checked in: archive it then. */
export const deleteEvent = (id: string) => api<{ id: string; deleted: true }>('DELETE', `/api/v1/events/${enc(id)}`);
export const archiveEvent = (id: string, archived: boolean) => api<CheckinEvent>('POST', `/api/v1/events/${enc(id)}/archive`, { archived });
export const listArchivedEvents = async () => (await api<{ events: CheckinEvent[] }>('GET', '/api/v1/events?archived=true&limit=1000')).events;

export const editSession = (id: string, patch: SessionPatch) => api<CheckinSession>('PATCH', `/api/v1/sessions/${enc(id)}`, patch);
/** Refused with `session_has_checkins` once anyone was checked in: archive it then. */
export const deleteSession = (id: string) => api<{ id: string; deleted: true }>('DELETE', `/api/v1/sessions/${enc(id)}`);
export const archiveSession = (id: string, archived: boolean) => api<CheckinSession>('POST', `/api/v1/sessions/${enc(id)}/archive`, { archived });
