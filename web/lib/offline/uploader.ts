/**
 * Uploads the offline queue when the network is back: oldest first, each scan
 * with its original nonce and scanned_at, marked `offline: true` (the server
 * takes a back-dated scanned_at from no other request). A scan leaves the
 * queue only after a definite answer (an answer, or a refusal of the request itself such as a
 * scan too old to accept); a lost answer is retried with the same nonce, which
 * the server answers again without a second check-in. Network errors, 429 and
 * 5xx back off exponentially (1 s doubling to 60 s, with jitter).
 */
import { ApiError } from '../api.js';
import type { ScanAnswer } from '../checkin-api.js';
import { dequeue, pending, enqueue, type QueuedScan } from './queue.js';
import type { Fetch } from './event-cache.js';

interface UploaderOptions {
  call: Fetch;
  /** A scan the server answered (or refused to take: `answer` null, `error` set). */
  onUploaded?: (scan: QueuedScan, answer: ScanAnswer | null, error?: ApiError) => void;
  /** The queue changed (a scan left it). */
  onChange?: () => void;
  /** Uploading cannot go on (the scanner was revoked or signed out). */
  onFatal?: (err: ApiError) => void;
  /** Look again this often while waiting scans remain (default 30 s). */
  periodMs?: number;
}

const MIN_BACKOFF = 1000;
const MAX_BACKOFF = 60_000;

export class Uploader {
  private running: Promise<void> | null = null;
  private backoff = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private stopped = false;

  constructor(private readonly o: UploaderOptions) {
    addEventListener('online', () => this.kick(true));
    const period = o.periodMs ?? 30_000;
    setInterval(() => this.kick(), period);
  }

  /** Uploads now unless a run is under way or a back-off is pending (`force`: skip the back-off). */
  kick(force = false): void {
    if (this.stopped || !navigator.onLine) return;
    if (force) {
      clearTimeout(this.timer);
      this.timer = undefined;
      this.backoff = 0;
    } else if (this.timer !== undefined) return;
    this.running ??= this.run().finally(() => (this.running = null));
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  private retryLater(): void {
    this.backoff = Math.min(MAX_BACKOFF, this.backoff ? this.backoff * 2 : MIN_BACKOFF);
    const wait = this.backoff * (0.8 + Math.random() * 0.4);
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.kick();
    }, wait);
  }

  private async run(): Promise<void> {
    for (const scan of await pending()) {
      if (this.stopped) return;
      const { nonce, code, session_id, direction, scanned_at, gate } = scan;
      try {
        // `offline: true`: the server takes scanned_at only from an upload marked so.
        const answer = await this.o.call<ScanAnswer>('POST', '/api/v1/checkins', { code, session_id, nonce, direction, scanned_at, offline: true, ...(gate ? { gate } : {}) });
        await dequeue(nonce);
        this.backoff = 0;
        this.o.onUploaded?.(scan, answer);
        this.o.onChange?.();
      } catch (err) {
        const e = err instanceof ApiError ? err : new ApiError('network_error', String(err), 0);
        if (e.code === 'device_revoked' || e.status === 401) {
          this.o.onFatal?.(e);
          return;
        }
        if (e.status === 0 || e.status === 429 || e.status >= 500) {
          await enqueue({ ...scan, attempts: scan.attempts + 1 }).catch(() => {});
          this.retryLater();
          return;
        }
        // A definite no to the request itself (400 scanned_at too old, 403, 404): it will never be taken.
        await dequeue(nonce);
        this.o.onUploaded?.(scan, null, e);
        this.o.onChange?.();
      }
    }
  }
}
