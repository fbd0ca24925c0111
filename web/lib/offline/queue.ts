/**
 * Scans made while offline, kept in IndexedDB until the server has answered
 * them: each with its nonce (a retry never makes a second check-in), when it
 * was scanned, and where. Survives reloads.
 */
import { idbAll, idbCount, idbDelete, idbGet, idbPut } from './idb.js';

export interface QueuedScan {
  nonce: string;
  code: string;
  session_id: string;
  direction: 'entry' | 'exit';
  scanned_at: number;
  gate?: string;
  /** When it went into the queue (orders the uploads), and what this device decided. */
  queued_at: number;
  local: { result: 'ok' | 'rejected' | 'unknown'; reason: string | null; attendee_id: string | null };
  attempts: number;
}

export const enqueue = (s: QueuedScan) => idbPut('queue', s);
export const dequeue = (nonce: string) => idbDelete('queue', nonce);
export const pendingCount = () => idbCount('queue');
export const queued = (nonce: string) => idbGet<QueuedScan>('queue', nonce);

/** Every waiting scan, oldest first. */
export async function pending(): Promise<QueuedScan[]> {
  return (await idbAll<QueuedScan>('queue')).sort((a, b) => a.scanned_at - b.scanned_at || a.queued_at - b.queued_at);
}

/** Who this device knows to be checked in (its own scans, online or queued). */
interface SeenCheckin {
  key: string;
  at: number;
  gate: string | null;
}

export const seenKey = (sessionId: string, attendeeId: string) => `${sessionId}|${attendeeId}`;
export const markSeen = (sessionId: string, attendeeId: string, at: number, gate: string | null) => idbPut('seen', { key: seenKey(sessionId, attendeeId), at, gate } satisfies SeenCheckin);
export const allSeen = () => idbAll<SeenCheckin>('seen');
