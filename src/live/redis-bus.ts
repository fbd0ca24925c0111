import { Redis } from 'ioredis';
import type { LiveEvent } from '../domain/live-event.js';
import { GRANT_RE, type Revocation } from '../domain/live-grant.js';
import type { Bus } from './bus.js';
import { watchRedisState } from './redis-state.js';

/** Revocations kept while Redis is away; past this the oldest go (the token lifetime still bounds them). */
const MAX_HELD_REVOCATIONS = 10_000;
/** Channels whose newest event is kept while this node's publisher is away; past this the oldest go (a resync heals them). */
const MAX_HELD_EVENTS = 10_000;

interface RedisBusOptions {
  url: string;
  /** Namespace for pub/sub channel names, so several deployments can share one Redis. */
  prefix?: string;
  /** Every connection error, each reconnect attempt included (many during an outage). */
  onError?: (err: Error) => void;
  /** Once when the bus goes down (or starts without Redis) and once when it is back: what to log. */
  onStateChange?: (up: boolean, reason?: string) => void;
}

/**
 * One publisher and one subscriber connection per node. The hub subscribes a
 * Redis channel for each live channel it serves. After a reconnect it
 * subscribes them again itself (and waits for Redis to confirm) before asking
 * the hub to re-read snapshots, so no event can fall between the two.
 */
export class RedisBus implements Bus {
  readonly name = 'redis';
  private readonly pub: Redis;
  private readonly sub: Redis;
  private readonly prefix: string;
  private readonly served = new Set<string>();
  private eventHandlers: ((e: LiveEvent) => void)[] = [];
  private resyncHandlers: (() => void)[] = [];
  private revocationHandlers: ((r: Revocation) => void)[] = [];
  /** Revocations made while Redis was away, oldest first. */
  private readonly heldRevocations: Revocation[] = [];
  /** The newest event of each channel published while the publisher was away, oldest channel first. */
  private readonly heldEvents = new Map<string, LiveEvent>();
  /** Where revocations travel; `~` is not allowed in a channel name, so no live channel can collide with it. */
  private readonly revocations: string;
  private everReady = false;
  private closed = false;
  private readonly stopWatching: () => void;

  constructor(opts: RedisBusOptions) {
    this.prefix = opts.prefix ?? 'scanpass:live:';
    this.revocations = `${this.prefix}~revoked`;
    const common = {
      lazyConnect: false,
      maxRetriesPerRequest: null,
      retryStrategy: (times: number) => Math.min(50 * 2 ** Math.min(times, 6), 2000),
    };
    // While Redis is away, publishes fail fast instead of piling up: the store holds
    // the truth and every node re-reads its channels when Redis is back.
    this.pub = new Redis(opts.url, { ...common, connectionName: 'scanpass-pub', enableOfflineQueue: false, maxRetriesPerRequest: 1 });
    this.sub = new Redis(opts.url, { ...common, connectionName: 'scanpass-sub', autoResubscribe: false });
    const onError = opts.onError ?? (() => {});
    this.pub.on('error', onError);
    this.sub.on('error', onError);
    this.sub.on('messageBuffer', (channel: Buffer, message: Buffer) => {
      if (channel.toString('utf8') === this.revocations) this.receiveRevocation(message);
      else this.receive(message);
    });
    this.sub.on('ready', () => void this.onReady());
    this.pub.on('ready', () => void this.flushRevocations().then(() => this.flushEvents()));
    this.stopWatching = watchRedisState([this.pub, this.sub], opts.onStateChange ?? (() => {}));
  }

  /** Resolves once both connections are up, or rejects after `timeoutMs`. */
  async ready(timeoutMs = 10_000): Promise<void> {
    const wait = (r: Redis) =>
      r.status === 'ready'
        ? Promise.resolve()
        : new Promise<void>((resolve, reject) => {
            const t = setTimeout(() => reject(new Error(`Redis not reachable within ${timeoutMs} ms`)), timeoutMs);
            r.once('ready', () => {
              clearTimeout(t);
              resolve();
            });
          });
    await Promise.all([wait(this.pub), wait(this.sub)]);
    // Ready means revocations reach this node too (onReady subscribes as well; subscribing twice is harmless).
    await this.sub.subscribe(this.revocations);
  }

  /**
   * While this node's publisher is away the event is held, not an error: the
   * newest of each channel goes out once the publisher is back. Every node
   * also re-reads its channels when its own subscriber is back (onResync),
   * but the two connections come back at different moments: a change made
   * here after another node's resync and before this publisher's return
   * would otherwise reach nobody until the channel's next change. The outage
   * is reported once through `onStateChange`.
   */
  async publish(event: LiveEvent): Promise<void> {
    if (this.pub.status !== 'ready') return this.holdEvent(event);
    await this.pub.publish(this.prefix + event.channel, JSON.stringify(event)).catch((err: unknown) => {
      if (this.pub.status === 'ready') throw err; // not the connection: worth a log line
      this.holdEvent(event);
    });
  }

  private holdEvent(e: LiveEvent): void {
    const held = this.heldEvents.get(e.channel);
    if (held && held.version >= e.version) return;
    this.heldEvents.delete(e.channel); // re-inserted last: the oldest channel goes first when full
    if (this.heldEvents.size >= MAX_HELD_EVENTS) this.heldEvents.delete(this.heldEvents.keys().next().value!);
    this.heldEvents.set(e.channel, e);
  }

  private async flushEvents(): Promise<void> {
    for (const [channel, e] of this.heldEvents) {
      if (this.pub.status !== 'ready') return; // down again; the next ready sends the rest
      try {
        await this.pub.publish(this.prefix + channel, JSON.stringify(e));
      } catch {
        return;
      }
      // A newer one may have been held meanwhile: only forget what was sent.
      if (this.heldEvents.get(channel) === e) this.heldEvents.delete(channel);
    }
  }

  async subscribe(channel: string): Promise<void> {
    this.served.add(channel);
    if (this.sub.status === 'ready') await this.sub.subscribe(this.prefix + channel);
  }

  async unsubscribe(channel: string): Promise<void> {
    this.served.delete(channel);
    if (this.sub.status === 'ready') await this.sub.unsubscribe(this.prefix + channel);
  }

  onEvent(handler: (e: LiveEvent) => void): void {
    this.eventHandlers.push(handler);
  }

  onResync(handler: () => void): void {
    this.resyncHandlers.push(handler);
  }

  /**
   * Unlike a channel event, a revocation has no snapshot to heal from, so one
   * made while Redis is away waits here and goes out when Redis is back (the
   * token lifetime bounds the wait for nodes that cannot hear it meanwhile).
   */
  async publishRevocation(r: Revocation): Promise<void> {
    if (this.pub.status !== 'ready') return this.holdRevocation(r);
    await this.pub.publish(this.revocations, JSON.stringify(r)).catch((err: unknown) => {
      if (this.pub.status === 'ready') throw err;
      this.holdRevocation(r);
    });
  }

  private holdRevocation(r: Revocation): void {
    if (this.heldRevocations.length >= MAX_HELD_REVOCATIONS) this.heldRevocations.shift();
    this.heldRevocations.push(r);
  }

  private async flushRevocations(): Promise<void> {
    while (this.heldRevocations.length > 0 && this.pub.status === 'ready') {
      const r = this.heldRevocations[0]!;
      try {
        await this.pub.publish(this.revocations, JSON.stringify(r));
      } catch {
        return; // down again; the next ready flushes the rest
      }
      this.heldRevocations.shift();
    }
  }

  onRevocation(handler: (r: Revocation) => void): void {
    this.revocationHandlers.push(handler);
  }

  healthy(): boolean {
    return this.sub.status === 'ready' && this.pub.status === 'ready';
  }

  async close(): Promise<void> {
    this.closed = true;
    this.stopWatching();
    await Promise.allSettled([this.pub.quit(), this.sub.quit()]);
    this.pub.disconnect();
    this.sub.disconnect();
  }

  private async onReady(): Promise<void> {
    if (this.closed) return;
    // A node that started without Redis may already serve channels whose events it missed.
    const reconnect = this.everReady || this.served.size > 0;
    this.everReady = true;
    // Every node hears every revocation, whatever channels it serves.
    const channels = [this.revocations, ...[...this.served].map((c) => this.prefix + c)];
    for (let i = 0; i < channels.length; i += 1000) {
      await this.sub.subscribe(...channels.slice(i, i + 1000)).catch(() => {});
    }
    if (reconnect) for (const h of this.resyncHandlers) h();
  }

  private receiveRevocation(message: Buffer): void {
    let r: Partial<Revocation>;
    try {
      r = JSON.parse(message.toString('utf8')) as Partial<Revocation>;
    } catch {
      return;
    }
    if (typeof r?.grant !== 'string' || !GRANT_RE.test(r.grant) || typeof r.at !== 'number' || (r.channel !== undefined && typeof r.channel !== 'string')) return;
    const revocation: Revocation = r.channel === undefined ? { grant: r.grant, at: r.at } : { grant: r.grant, channel: r.channel, at: r.at };
    for (const h of this.revocationHandlers) h(revocation);
  }

  private receive(message: Buffer): void {
    let event: LiveEvent;
    try {
      event = JSON.parse(message.toString('utf8')) as LiveEvent;
    } catch {
      return; // not ours; another writer on the same prefix
    }
    if (typeof event?.channel !== 'string' || typeof event.version !== 'number') return;
    for (const h of this.eventHandlers) h(event);
  }
}
