import { AppError } from '../domain/errors.js';
import { parseChannel, type LiveEvent } from '../domain/live-event.js';

/** Reads the current state of one channel of a kind from the store; null when it does not exist. */
type SnapshotLoader = (id: string) => Promise<Omit<LiveEvent, 'channel'> | null>;

/** Which channel kinds exist (`login`, `pass`, ...) and how to read their snapshots. */
export class ChannelRegistry {
  private readonly loaders = new Map<string, SnapshotLoader>();

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
