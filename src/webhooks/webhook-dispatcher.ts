import type { Clock } from '../domain/clock.js';
import { randomUuid, type Random } from '../domain/random.js';
import { afterFailure } from '../domain/webhook-retry.js';
import type { DueDelivery } from '../domain/webhook-delivery.js';
import type { Settlement, WebhookDeliveriesRepo } from '../store/webhook-deliveries.js';
import { sendWebhook, type AttemptResult, type TargetPolicy } from './webhook-sender.js';

export interface DispatcherOptions {
  /** How often the node looks for due deliveries. */
  tickMs: number;
  /** Waits between attempts; a delivery gets one attempt more than this has entries. */
  retrySchedule: readonly number[];
  /** Per attempt. */
  timeoutMs: number;
  /** Attempts in flight at once on this node. */
  concurrency?: number;
  /** Finished deliveries are forgotten after this long. */
  retentionMs?: number;
  /** SCANPASS_WEBHOOK_ALLOW_PRIVATE: let attempts reach loopback and private addresses. */
  allowPrivate?: boolean;
}

export interface DispatcherDeps {
  deliveries: WebhookDeliveriesRepo;
  clock: Clock;
  random: Random;
  onError: (err: unknown, context: string) => void;
  /** The attempt itself; tests may stand in for the network. */
  send?: typeof sendWebhook;
  /** Name resolution for attempts; tests may stand in for DNS. */
  resolve?: TargetPolicy['resolve'];
}

const PURGE_EVERY_MS = 10 * 60_000;

/**
 * Sends the outbox. On every tick each node claims due deliveries by
 * compare-and-set (so no two nodes attempt one at once), POSTs each, and
 * writes back delivered, the next try (backoff with jitter), or failed. A
 * claim lasts the timeout and a margin; a node that dies mid-send leaves it
 * to lapse and another node tries again: delivery is at least once, and
 * receivers tell repeats apart by the delivery id.
 */
export class WebhookDispatcher {
  private timer: NodeJS.Timeout | undefined;
  private ticking: Promise<void> | undefined;
  private closing = false;
  private readonly inFlight = new Set<Promise<void>>();
  private readonly stop = new AbortController();
  private lastPurge = 0;
  private readonly concurrency: number;
  private readonly leaseMs: number;

  constructor(
    private readonly d: DispatcherDeps,
    private readonly o: DispatcherOptions,
  ) {
    this.concurrency = o.concurrency ?? 16;
    this.leaseMs = o.timeoutMs + 30_000;
  }

  start(): void {
    if (this.timer || this.closing) return;
    this.timer = setInterval(() => void this.tick(), this.o.tickMs);
    this.timer.unref();
  }

  /** Stops claiming; attempts in flight get `graceMs` to finish, then are aborted and their claims given back. */
  async close(graceMs = 2000): Promise<void> {
    this.closing = true;
    clearInterval(this.timer);
    this.timer = undefined;
    await this.ticking;
    const all = () => Promise.allSettled([...this.inFlight]);
    const grace = new Promise((r) => setTimeout(r, graceMs).unref());
    await Promise.race([all(), grace]);
    this.stop.abort();
    await all();
  }

  /** One round: claim what is due (up to the free slots) and start sending it. Exposed for tests. */
  tick(): Promise<void> {
    if (this.closing) return Promise.resolve();
    this.ticking ??= this.round().finally(() => {
      this.ticking = undefined;
    });
    return this.ticking;
  }

  private async round(): Promise<void> {
    try {
      const free = this.concurrency - this.inFlight.size;
      if (free <= 0) return;
      const now = this.d.clock.now();
      const due = await this.d.deliveries.due(now, free);
      // Awaited here, so a failed purge (a busy or unreachable database) is caught below, not left unhandled.
      if (due.length === 0) return await this.purge(now);
      const token = randomUuid(this.d.random);
      const won = await this.d.deliveries.claim(due.map((x) => x.id), token, now, now + this.leaseMs);
      for (const delivery of due) {
        const attempts = won.get(delivery.id);
        if (attempts === undefined) continue;
        const p = this.attempt({ ...delivery, attempts }, token).finally(() => this.inFlight.delete(p));
        this.inFlight.add(p);
      }
    } catch (err) {
      this.d.onError(err, 'webhook dispatch');
    }
  }

  private async attempt(delivery: DueDelivery, token: string): Promise<void> {
    const send = this.d.send ?? sendWebhook;
    try {
      const result = await send(
        { id: delivery.id, type: delivery.kind, createdAt: delivery.createdAt, payload: delivery.payload, url: delivery.url, secret: delivery.secret },
        Math.floor(this.d.clock.now() / 1000),
        this.o.timeoutMs,
        this.stop.signal,
        { allowPrivate: this.o.allowPrivate ?? false, ...(this.d.resolve ? { resolve: this.d.resolve } : {}) },
      );
      if ('aborted' in result) return await this.d.deliveries.release(delivery.id, token);
      await this.d.deliveries.settle(delivery.id, token, this.settlement(result, delivery.attempts + 1));
    } catch (err) {
      this.d.onError(err, `webhook delivery ${delivery.id}`);
    }
  }

  private settlement(r: Exclude<AttemptResult, { aborted: true }>, attempts: number): Settlement {
    const now = this.d.clock.now();
    if (r.ok) return { status: 'delivered', attempts, lastStatus: r.status, at: now };
    const next = afterFailure(this.o.retrySchedule, attempts, now, this.jitter());
    return next.status === 'failed'
      ? { status: 'failed', attempts, lastStatus: r.status, lastError: r.error }
      : { status: 'pending', attempts, lastStatus: r.status, lastError: r.error, nextAttemptAt: next.nextAttemptAt };
  }

  private jitter(): number {
    const b = this.d.random.bytes(4);
    return (((b[0]! << 24) | (b[1]! << 16) | (b[2]! << 8) | b[3]!) >>> 0) / 2 ** 32;
  }

  private async purge(now: number): Promise<void> {
    if (now - this.lastPurge < PURGE_EVERY_MS) return;
    this.lastPurge = now;
    await this.d.deliveries.purge(now - (this.o.retentionMs ?? 30 * 86_400_000));
  }
}
