/**
 * What the check-in benches set up on a running product: an event with one
 * session open to all, a scanner device, and attendees imported by CSV as an
 * organiser would; codes signed here with the event's key read from the store
 * (what the pass page would show).
 */
import path from 'node:path';
import { encodePassToken, windowAt } from '../../src/domain/pass-token.js';
import { EventKeyCache } from '../../src/flows/checkin/event-keys.js';
import { SQLite } from '../../src/store/sqlite-driver.js';
import { api } from './http.js';
import { BENCH_ADMIN } from './server-process.js';


/** Runs `fn` over `items` with at most `n` at once. */
export async function pool<T>(items: T[], n: number, fn: (item: T, i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: n }, async () => {
      while (next < items.length) {
        const i = next++;
        await fn(items[i]!, i);
      }
    }),
  );
}

export interface CheckinEvent {
  sessionId: string;
  /** The scanner device's `Authorization` header. */
  device: Record<string, string>;
  /** Each attendee's id and personal pass link token, in import order. */
  attendees: { id: string; link: string }[];
  /** The attendee's code for the current window. */
  sign: (attendeeId: string) => string;
}

const IMPORT_ROWS = 10_000; // the import's limit per file

async function signInAdmin(url: string): Promise<Record<string, string>> {
  const res = await fetch(`${url}/api/v1/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(BENCH_ADMIN) });
  if (!res.ok) throw new Error(`sign-in failed: ${res.status}`);
  const body = (await res.json()) as { csrf_token: string };
  return { cookie: res.headers.getSetCookie().map((c) => c.split(';')[0]).join('; '), 'x-csrf-token': body.csrf_token };
}

/**
 * Sets up the event on the product at `url` with `attendees` people;
 * `privateKeyOf` reads the event's key from the product's store.
 */
export async function setupCheckinEvent(
  url: string,
  attendees: number,
  privateKeyOf: (eventId: string) => Promise<string>,
  onProgress: (imported: number, seconds: number) => void = () => {},
): Promise<CheckinEvent> {
  const admin = await signInAdmin(url);
  const t = Date.now();
  const ev = await api(url, admin, 'POST', '/api/v1/events', { name: 'Bench conference', starts_at: t - 3600_000, ends_at: t + 86400_000 }, 201);
  const session = await api(url, admin, 'POST', `/api/v1/events/${ev.id}/sessions`, { name: 'Keynote', place: 'Main hall', starts_at: t - 600_000, ends_at: t + 86400_000, all_attendees: true }, 201);
  const device = await api(url, admin, 'POST', `/api/v1/events/${ev.id}/devices`, { name: 'Gate 1' }, 201);
  const list: { id: string; link: string }[] = [];
  const t0 = performance.now();
  for (let from = 0; from < attendees; from += IMPORT_ROWS) {
    const rows = Array.from({ length: Math.min(IMPORT_ROWS, attendees - from) }, (_, i) => `Attendee ${from + i},a${from + i}@bench.local`);
    const report = await api(url, { ...admin, 'content-type': 'text/csv' }, 'POST', `/api/v1/events/${ev.id}/attendees/import`, `name,email\n${rows.join('\n')}\n`);
    for (const a of report.attendees as { id: string; link_url: string }[]) list.push({ id: a.id, link: new URL(a.link_url).searchParams.get('link')! });
    onProgress(list.length, (performance.now() - t0) / 1000);
  }
  const eventId = ev.id as string;
  const signer = new EventKeyCache().signer(eventId, await privateKeyOf(eventId));
  return {
    sessionId: session.id as string,
    device: { authorization: `Bearer ${device.token as string}` },
    attendees: list,
    sign: (attendeeId) => encodePassToken({ eventId, attendeeId, window: windowAt(Date.now()) }, signer),
  };
}

/** The event's private key from a SQLite node's data folder (read-only). */
export function sqlitePrivateKey(dataDir: string, eventId: string): string {
  const db = new SQLite(path.join(dataDir, 'scanpass.db'), { readonly: true });
  try {
    return (db.prepare('SELECT private_key FROM events WHERE id = ?').get(eventId) as { private_key: string }).private_key;
  } finally {
    db.close();
  }
}
