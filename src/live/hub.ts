import { AppError } from '../domain/errors.js';
import type { LiveEvent } from '../domain/live-event.js';
import type { Bus } from './bus.js';
import type { ChannelRegistry } from './channel-registry.js';

/** A screen's end of the live channel: a socket, an SSE stream, a waiting poll. */
export interface Subscriber {
  /** Called once per newer version; `frame` is the event as JSON, shared by all receivers. */
  send(event: LiveEvent, frame: string): void;
}

interface ChannelEntry {
  latest: LiveEvent | null;
  frame: string;
  /** Each subscriber with the version it has. */
  subs: Map<Subscriber, number>;
  /** Bus subscription plus first snapshot; null once done. */
  opening: Promise<void> | null;
}

export interface HubStats {
  channels: number;
  subscriptions: number;
}

/**
 * Delivers channel state to this node's subscribers: a snapshot first, then
 * every newer version, never an older one. It keeps the latest state of each
 * channel it serves, so a thousand screens on one channel cost one read.
 */
export class LiveHub {
  private readonly channels = new Map<string, ChannelEntry>();
  private subscriptions = 0;

  constructor(
    private readonly bus: Bus,
    private readonly registry: ChannelRegistry,
    private readonly onError: (err: unknown, context: string) => void = () => {},
  ) {
    bus.onEvent((e) => this.accept(e));
    bus.onResync(() => void this.resync());
  }

  /**
   * Adds `sub` to `channel` and sends it the current state if newer than
   * `after`. Throws `unknown_channel` when the channel does not exist.
   */
  async subscribe(channel: string, sub: Subscriber, after = 0): Promise<void> {
    this.registry.check(channel);
    let entry = this.channels.get(channel);
    if (!entry) {
      const created: ChannelEntry = { latest: null, frame: '', subs: new Map(), opening: null };
      created.opening = this.open(channel, created);
      this.channels.set(channel, created);
      entry = created;
    }
    if (!entry.subs.has(sub)) this.subscriptions++;
    entry.subs.set(sub, after);
    try {
      if (entry.opening) await entry.opening;
    } catch (err) {
      this.detach(channel, entry, sub);
      throw err instanceof AppError ? err : new AppError('unavailable', 'live state is unavailable, retry shortly');
    }
    if (!entry.latest) {
      this.detach(channel, entry, sub);
      throw new AppError('unknown_channel', `no such channel: ${channel}`);
    }
    this.deliver(entry, sub);
  }

  unsubscribe(channel: string, sub: Subscriber): void {
    const entry = this.channels.get(channel);
    if (entry) this.detach(channel, entry, sub);
  }

  private detach(channel: string, entry: ChannelEntry, sub: Subscriber): void {
    if (!entry.subs.delete(sub)) return;
    this.subscriptions--;
    if (entry.subs.size === 0 && this.channels.get(channel) === entry) {
      this.channels.delete(channel);
      this.bus.unsubscribe(channel).catch((err) => this.onError(err, 'bus unsubscribe'));
    }
  }

  /** Called by a flow after its transaction committed. */
  async publish(event: LiveEvent): Promise<void> {
    this.accept(event);
    await this.bus.publish(event);
  }

  /** Re-reads every served channel from the store; heals anything the bus lost. */
  async resync(): Promise<void> {
    const names = [...this.channels.keys()];
    const worker = async () => {
      for (let name = names.pop(); name !== undefined; name = names.pop()) {
        try {
          const snap = await this.registry.load(name);
          if (snap) this.accept(snap);
        } catch (err) {
          this.onError(err, `resync ${name}`);
        }
      }
    };
    await Promise.all(Array.from({ length: 8 }, worker));
  }

  /** Whether `sub` currently follows `channel`. */
  has(channel: string, sub: Subscriber): boolean {
    return this.channels.get(channel)?.subs.has(sub) ?? false;
  }

  stats(): HubStats {
    return { channels: this.channels.size, subscriptions: this.subscriptions };
  }

  private async open(channel: string, entry: ChannelEntry): Promise<void> {
    try {
      await this.bus.subscribe(channel);
      const snap = await this.registry.load(channel);
      if (snap && (!entry.latest || snap.version > entry.latest.version)) this.setLatest(entry, snap);
    } catch (err) {
      this.onError(err, `open ${channel}`);
      // Let the next subscriber try afresh rather than inherit this failure.
      if (this.channels.get(channel) === entry) this.channels.delete(channel);
      throw err;
    } finally {
      entry.opening = null;
    }
  }

  private accept(event: LiveEvent): void {
    const entry = this.channels.get(event.channel);
    if (!entry || (entry.latest && event.version <= entry.latest.version)) return;
    this.setLatest(entry, event);
    if (entry.opening) return; // subscribers get it when the snapshot is in
    for (const sub of entry.subs.keys()) this.deliver(entry, sub);
  }

  private setLatest(entry: ChannelEntry, event: LiveEvent): void {
    entry.latest = { channel: event.channel, version: event.version, type: event.type, data: event.data };
    entry.frame = JSON.stringify(entry.latest);
  }

  private deliver(entry: ChannelEntry, sub: Subscriber): void {
    const latest = entry.latest;
    const has = entry.subs.get(sub);
    if (!latest || has === undefined || latest.version <= has) return;
    entry.subs.set(sub, latest.version);
    try {
      sub.send(latest, entry.frame);
    } catch (err) {
      this.onError(err, 'deliver');
    }
  }
}
