import { backoffDelay, restartDelay } from './backoff.js';
import { TERMINAL_CODES } from './protocol.js';
import type { Connection, Failure, LiveErrorInfo, LiveState, LiveStatus, LiveSubscription, Sink, SubscribeOptions, TransportKind } from './types.js';

/** What a subscription needs from its client. */
export interface SubscriptionHost {
  /** Usable transports in order of preference (never empty). */
  readonly transports: readonly TransportKind[];
  connect(kind: TransportKind, sink: Sink): Connection;
  /** Whether `kind` has ever connected for this client: a transport that worked is retried longer before giving up on it. */
  worked(kind: TransportKind): boolean;
  markWorked(kind: TransportKind): void;
  readonly backoff: { baseMs?: number; capMs?: number };
  release(sub: Subscription): void;
}

/** Failed connection attempts in a row before trying the next transport. */
const TRIES_NEVER_WORKED = 2;
const TRIES_WORKED = 8;
/** A connection up this long (or that delivered a state) was healthy: the backoff starts over. */
const HEALTHY_MS = 5000;
/** Renewals closer together than this back off, so a token that keeps coming back expired (a skewed clock) cannot spin. */
const RENEW_SPACING_MS = 1000;

/**
 * One channel followed by one caller: picks a transport, delivers each newer
 * version once, and on loss retries with jittered backoff, resuming after the
 * last version seen. Moves to the next transport when one keeps failing to
 * connect, wrapping around, so an outage ends on whichever comes back.
 */
export class Subscription implements LiveSubscription {
  private level = 0;
  /** Failed attempts in a row on the current transport. */
  private misses = 0;
  /** Backoff step. */
  private attempt = 0;
  private lastVersion: number;
  private conn: Connection | null = null;
  private generation = 0;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private openedAt = 0;
  private delivered = false;
  private currentStatus: LiveStatus = 'connecting';
  private closed = false;
  private lastRenewAt = 0;
  private renewAttempt = 0;
  /** Waiting for a fresh token: the shared socket opening must not retry with the old one. */
  private renewing = false;

  constructor(
    private readonly host: SubscriptionHost,
    readonly channel: string,
    private token: string,
    private readonly onState: (state: LiveState) => void,
    private readonly opts: SubscribeOptions,
  ) {
    this.lastVersion = opts.after ?? 0;
  }

  get transport(): TransportKind | null {
    return this.closed ? null : (this.host.transports[this.level] ?? null);
  }

  get status(): LiveStatus {
    return this.currentStatus;
  }

  get version(): number {
    return this.lastVersion;
  }

  /** True while waiting to retry on `kind`. */
  waitingFor(kind: TransportKind): boolean {
    return this.timer !== null && !this.renewing && this.transport === kind;
  }

  start(): void {
    this.emitStatus('connecting');
    this.connect();
  }

  /** Retries now instead of at the end of the backoff (the shared socket just opened). */
  retryNow(): void {
    if (!this.timer || this.renewing) return;
    clearTimeout(this.timer);
    this.timer = null;
    this.connect();
  }

  unsubscribe(): void {
    if (this.closed) return;
    this.stop();
    this.emitStatus('closed');
  }

  private stop(): void {
    this.closed = true;
    this.generation++;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.conn?.close();
    this.conn = null;
    this.host.release(this);
  }

  private connect(): void {
    if (this.closed) return;
    const kind = this.host.transports[this.level]!;
    const gen = ++this.generation;
    const live = () => gen === this.generation && !this.closed;
    const token = this.token;
    const sink: Sink = {
      channel: this.channel,
      token,
      version: () => this.lastVersion,
      opened: () => {
        if (!live()) return;
        this.openedAt = Date.now();
        this.delivered = false;
        this.misses = 0;
        this.host.markWorked(kind);
        this.emitStatus('open');
      },
      state: (state) => {
        if (!live() || state.version <= this.lastVersion) return;
        this.lastVersion = state.version;
        this.delivered = true;
        this.onState(state);
      },
      failed: (why) => {
        if (!live()) return;
        this.conn = null;
        this.generation++;
        this.failed(kind, why);
      },
    };
    this.conn = this.host.connect(kind, sink);
  }

  private failed(kind: TransportKind, why: Failure): void {
    let delay: number;
    if (why.reason === 'refused') {
      const error: LiveErrorInfo = { code: why.code, message: why.message, channel: this.channel, terminal: TERMINAL_CODES.has(why.code) };
      if (why.code === 'token_expired' && this.opts.renew) return this.renew(error);
      if (error.terminal) {
        this.stop();
        this.emitStatus('closed');
        this.opts.onError?.(error);
        return;
      }
      this.opts.onError?.(error);
      if (why.code === 'too_many_channels' && this.host.transports.length > 1) {
        // The socket is full; this channel can still have a stream of its own.
        this.nextTransport();
        delay = 0;
      } else {
        delay = this.missed(kind);
      }
    } else if (why.opened) {
      const healthy = this.delivered || Date.now() - this.openedAt >= HEALTHY_MS;
      if (healthy) this.attempt = 0;
      delay = why.restart ? restartDelay(this.host.backoff) : backoffDelay(this.attempt++, this.host.backoff);
    } else {
      delay = this.missed(kind);
    }
    this.emitStatus('reconnecting');
    this.timer = setTimeout(() => {
      this.timer = null;
      this.connect();
    }, delay);
  }

  /**
   * The token ran out: asks the page for a fresh one and goes on from the
   * last version seen. A failed renewal ends the subscription with the error.
   */
  private renew(expired: LiveErrorInfo): void {
    this.emitStatus('reconnecting');
    this.renewing = true;
    const gen = this.generation;
    const now = Date.now();
    const delay = now - this.lastRenewAt < RENEW_SPACING_MS ? backoffDelay(this.renewAttempt++, this.host.backoff) : ((this.renewAttempt = 0), 0);
    this.timer = setTimeout(() => {
      this.timer = null;
      this.lastRenewAt = Date.now();
      const giveUp = () => {
        this.renewing = false;
        if (this.closed || gen !== this.generation) return;
        this.stop();
        this.emitStatus('closed');
        this.opts.onError?.(expired);
      };
      // Through a promise, so a renew that throws at once counts as a refusal too.
      Promise.resolve()
        .then(() => this.opts.renew!())
        .then((token) => {
          if (this.closed || gen !== this.generation) return;
          if (typeof token !== 'string' || token === '') return giveUp();
          this.renewing = false;
          this.token = token;
          this.connect();
        }, giveUp);
    }, delay);
  }

  /** Counts a failed attempt; after enough in a row moves on to the next transport. */
  private missed(kind: TransportKind): number {
    this.misses++;
    if (this.misses >= (this.host.worked(kind) ? TRIES_WORKED : TRIES_NEVER_WORKED) && this.host.transports.length > 1) {
      this.nextTransport();
      return backoffDelay(0, this.host.backoff);
    }
    return backoffDelay(this.attempt++, this.host.backoff);
  }

  private nextTransport(): void {
    this.level = (this.level + 1) % this.host.transports.length;
    this.misses = 0;
  }

  private emitStatus(status: LiveStatus): void {
    if (status === this.currentStatus && status !== 'connecting') return;
    this.currentStatus = status;
    this.opts.onStatus?.(status, this.transport);
  }
}
