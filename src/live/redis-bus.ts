import { Redis } from 'ioredis';
import type { LiveEvent } from '../domain/live-event.js';
import type { Bus } from './bus.js';

export interface RedisBusOptions {
  url: string;
  /** Namespace for pub/sub channel names, so several deployments can share one Redis. */
  prefix?: string;
  onError?: (err: Error) => void;
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
  private everReady = false;
  private closed = false;

  constructor(opts: RedisBusOptions) {
    this.prefix = opts.prefix ?? 'scanpass:live:';
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
    this.sub.on('messageBuffer', (_channel: Buffer, message: Buffer) => this.receive(message));
    this.sub.on('ready', () => void this.onReady());
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
  }

  async publish(event: LiveEvent): Promise<void> {
    await this.pub.publish(this.prefix + event.channel, JSON.stringify(event));
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

  healthy(): boolean {
    return this.sub.status === 'ready' && this.pub.status === 'ready';
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.allSettled([this.pub.quit(), this.sub.quit()]);
    this.pub.disconnect();
    this.sub.disconnect();
  }

  private async onReady(): Promise<void> {
    if (this.closed) return;
    const reconnect = this.everReady;
    this.everReady = true;
    const channels = [...this.served].map((c) => this.prefix + c);
    for (let i = 0; i < channels.length; i += 1000) {
      await this.sub.subscribe(...channels.slice(i, i + 1000)).catch(() => {});
    }
    if (reconnect) for (const h of this.resyncHandlers) h();
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
