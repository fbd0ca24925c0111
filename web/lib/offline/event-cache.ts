/**
 * What a scanner needs to decide without the network, kept in IndexedDB: the
 * event's Ed25519 public key and its attendee list (who may come to which
 * session). Downloaded when a session is picked, refreshed while online.
 */
import { idbGet, idbPut } from './idb.js';
import { importPublicKey, type OfflineAttendee } from './verify.js';

interface CachedEvent {
  event_id: string;
  public_key: string;
  attendees: OfflineAttendee[];
  fetched_at: number;
}

export type Fetch = <T>(method: string, path: string, body?: unknown) => Promise<T>;

const PAGE = 10_000;

/** Downloads the event's key and every attendee (page by page) and keeps them. */
export async function downloadEvent(call: Fetch, eventId: string): Promise<CachedEvent> {
  const id = encodeURIComponent(eventId);
  const key = await call<{ public_key: string }>('GET', `/api/v1/events/${id}/public-key`);
  const attendees: OfflineAttendee[] = [];
  for (let offset = 0; ; offset += PAGE) {
    const page = await call<{ attendees: OfflineAttendee[] }>('GET', `/api/v1/events/${id}/attendees?limit=${PAGE}&offset=${offset}`);
    for (const a of page.attendees) attendees.push({ id: a.id, name: a.name, revoked: a.revoked, sessions: a.sessions });
    if (page.attendees.length < PAGE) break;
  }
  const ev: CachedEvent = { event_id: eventId, public_key: key.public_key, attendees, fetched_at: Date.now() };
  await idbPut('events', ev);
  return ev;
}

export const cachedEvent = (eventId: string) => idbGet<CachedEvent>('events', eventId);

/** An event ready to decide with: its key imported, its attendees by id. */
export interface LoadedEvent {
  eventId: string;
  key: CryptoKey | null;
  attendees: Map<string, OfflineAttendee>;
  fetchedAt: number;
}

export async function loadEvent(ev: CachedEvent): Promise<LoadedEvent> {
  const attendees = new Map(ev.attendees.map((a) => [a.id, a]));
  return { eventId: ev.event_id, key: await importPublicKey(ev.public_key), attendees, fetchedAt: ev.fetched_at };
}
