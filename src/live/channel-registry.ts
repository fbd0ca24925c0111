import { AppError } from '../domain/errors.js';
import { parseChannel, type LiveEvent } from '../domain/live-event.js';

/** Reads the current state of one channel of a kind from the store; null when it does not exist. */
type SnapshotLoader = (id: string) => Promise<Omit<LiveEvent, 'channel'> | null>;

/** Who opened a subscription: the client's address (as `req.ip` gives it) and its User-Agent. */
export interface Watcher {
  ip: string;
  userAgent: string;
}

/** Told when a subscription to a channel of its kind has opened (its snapshot sent). */
type WatchListener = (id: string, who: Watcher) => Promise<void>;

/** Which channel kinds exist (`login`, `pass`, ...) and how to read their snapshots. */
export class ChannelRegistry {
  private readonly loaders = new Map<string, SnapshotLoader>();
  private readonly watchers = new Map<string, WatchListener>();

  /**
   * A kind that wants to know who watches its channels, e.g. the screen that
   * shows a login request's QR (its own browser, not the back end that asked).
   */
  onWatch(kind: string, listener: WatchListener): void {
    this.watchers.set(kind, listener);
  }

  /** Tells the kind's listener, if any, that `who` now watches `channel`. */
  watched(channel: string, who: Watcher): Promise<void> | undefined {
    const parsed = parseChannel(channel);
    const listener = parsed && this.watchers.get(parsed.kind);
    return listener ? listener(parsed.id, who) : undefined;
  }

  register(kind: string, loader: SnapshotLoader): void {
    if (this.loaders.has(kind)) throw new Error(`channel kind "${kind}" is registered twice`);
    this.loaders.set(kind, loader);
  }

  /** Throws `unknown_channel` for a malformed name or a kind nobody registered. */
  check(channel: unknown): string {
    const parsed = parseChannel(channel);
    if (!parsed || !this.loaders.has(parsed.kind)) throw new AppError('unknown_channel', `no such channel: ${String(channel).slice(0, 80)}`);
    return channel as string;
  }

  async load(channel: string): Promise<LiveEvent | null> {
    const parsed = parseChannel(channel);
    const loader = parsed && this.loaders.get(parsed.kind);
    if (!parsed || !loader) return null;
    const snap = await loader(parsed.id);
    return snap && { channel, version: snap.version, type: snap.type, data: snap.data };
  }
}
