import { AppError } from '../domain/errors.js';
import type { LiveEvent } from '../domain/live-event.js';
import type { Revocation } from '../domain/live-grant.js';
import type { Bus } from './bus.js';
import type { ChannelRegistry, Watcher } from './channel-registry.js';
import { MAX_CHANNEL_TOKEN_TTL_SECONDS, type TokenClaims } from './channel-token.js';
import { ConcurrencyLimit } from './concurrency-limit.js';
import { LeaseIndex, type Lease, type LeaseEnd, type Subscriber } from './lease-index.js';

export type { Subscriber };
import { RevocationMemory } from './revocation-memory.js';

const ENDED: Record<LeaseEnd, string> = {
  token_expired: 'channel token has expired; fetch a fresh one',
  access_revoked: 'the right this subscription came from has been revoked',
};
/** Leases ended per sweep tick at most; the rest follow a second later. */
const MAX_EXPIRED_PER_TICK = 2000;
/**
 * Enough to keep the store busy during a burst of new channels, few enough
 * that other queries never wait behind more than this many snapshot reads.
 */
const MAX_OPENS_IN_FLIGHT = 8;
const NO_GRANTS: readonly string[] = Object.freeze([]);

interface ChannelEntry {
  /**
   * The latest state, kept as its frame alone (the JSON every subscriber is
   * sent) and its version: the event's objects would cost each channel, and
   * so each idle phone, about a kilobyte more.
   */
  version: number;
  /** null until the first snapshot or event. */
  frame: string | null;
  /** Each subscriber with its lease (the version it has, its token's expiry and grants). */
  subs: Map<Subscriber, Lease>;
  /** Bus subscription plus first snapshot; null once done. */
  opening: Promise<void> | null;
}

interface HubStats {
  channels: number;
  subscriptions: number;
}

interface HubOptions {
  onError?: ((err: unknown, context: string) => void) | undefined;
  /** The clock tokens are minted and checked by. */
  now?: (() => number) | undefined;
}

/**
 * Delivers channel state to this node's subscribers: a snapshot first, then
 * every newer version, never an older one. It keeps the latest state of each
 * channel it serves, so a thousand screens on one channel cost one read.
 *
 * A subscription lasts no longer than the token it was opened with: the hub
 * ends it when the token expires (a sweep once a second) or when a grant the
 * token carries is revoked (a revocation from any node, over the bus), and
 * refuses tokens revoked earlier.
 */
export class LiveHub {
  private readonly channels = new Map<string, ChannelEntry>();
  private subscriptions = 0;
  private readonly onError: (err: unknown, context: string) => void;
  private readonly now: () => number;
  private readonly leases: LeaseIndex;
  private readonly revoked = new RevocationMemory(MAX_CHANNEL_TOKEN_TTL_SECONDS * 1000 + 60_000);
  private readonly sweeper: NodeJS.Timeout;
  /** Leases whose subscribe() is still waiting for the channel to open. */
  private readonly pending = new Set<Lease>();
  /** Channel opens (bus subscription + snapshot read) in flight at once; the rest wait their turn. */
  private readonly opens = new ConcurrencyLimit(MAX_OPENS_IN_FLIGHT);

  constructor(
    private readonly bus: Bus,
    private readonly registry: ChannelRegistry,
    options: HubOptions | ((err: unknown, context: string) => void) = {},
  ) {
    const o = typeof options === 'function' ? { onError: options } : options;
    this.onError = o.onError ?? (() => {});
    this.now = o.now ?? Date.now;
    this.leases = new LeaseIndex(this.now());
    bus.onEvent((e) => this.accept(e));
    bus.onResync(() => void this.resync());
    bus.onRevocation((r) => this.revokeHere(r));
    this.sweeper = setInterval(() => this.sweep(), 1000);
    this.sweeper.unref();
  }

  /**
   * Adds `sub` to `channel` and sends it the current state if newer than
   * `after`. Throws `unknown_channel` when the channel does not exist, and
   * `access_revoked` when the token's right was revoked. With `claims` (from
   * the token) the subscription ends when the token expires or is revoked.
   */
  async subscribe(channel: string, sub: Subscriber, after = 0, claims?: TokenClaims, who?: Watcher): Promise<void> {
    this.registry.check(channel);
    if (claims && this.revoked.refuses(channel, claims)) throw new AppError('access_revoked', ENDED.access_revoked);
    let entry = this.channels.get(channel);
    if (!entry) {
      const created: ChannelEntry = { version: 0, frame: null, subs: new Map(), opening: null };
      this.channels.set(channel, created); // before opening: open() checks the channel is still wanted
      created.opening = this.opens.run(() => this.open(channel, created));
      entry = created;
    }
    const previous = entry.subs.get(sub);
    if (previous) this.leases.remove(previous);
    else this.subscriptions++;
    const lease: Lease = {
      channel,
      sub,
      has: after,
      exp: claims?.exp ?? Infinity,
      grants: claims && claims.grants.length > 0 ? claims.grants : NO_GRANTS,
      ended: null,
      second: 0,
    };
    entry.subs.set(sub, lease);
    this.leases.add(lease);
    this.pending.add(lease);
    try {
      if (entry.opening) await entry.opening;
    } catch (err) {
      this.detach(channel, entry, sub);
      throw err instanceof AppError ? err : new AppError('unavailable', 'live state is unavailable, retry shortly');
    } finally {
      this.pending.delete(lease);
    }
    // Revoked or expired while the snapshot was loading: the caller hears it from here, not from `end`.
    if (lease.ended) throw new AppError(lease.ended, ENDED[lease.ended]);
    // It left (or subscribed again) while the channel was opening: nothing to send or report here.
    if (entry.subs.get(sub) !== lease) return;
    if (entry.frame === null) {
      this.detach(channel, entry, sub);
      throw new AppError('unknown_channel', `no such channel: ${channel}`);
    }
    this.deliver(entry, sub);
    // Awaited, so a long-poll's answer comes after the kind has noted who watches.
    if (who) await this.registry.watched(channel, who)?.catch((err: unknown) => this.onError(err, `watch ${channel}`));
  }

  /**
   * Ends, on every node, the subscriptions opened under `r.grant` and refuses
   * its tokens from now on. Call after the revocation committed. A node that
   * misses the message (the bus was down) still ends them when their tokens
   * expire: the token lifetime bounds how long a revoked right can keep one.
   */
  async revoke(r: Revocation): Promise<void> {
    this.revokeHere(r);
    await this.bus.publishRevocation(r);
  }

  /** Stops the expiry sweep (shutdown). */
  close(): void {
    clearInterval(this.sweeper);
  }

  private revokeHere(r: Revocation): void {
    this.revoked.remember(r);
    for (const lease of this.leases.under(r.grant, r.channel)) this.end(lease, 'access_revoked');
  }

  /** Ends subscriptions whose token has expired, and forgets revocations no live token can predate. Runs every second. */
  sweep(): void {
    const now = this.now();
    for (const lease of this.leases.due(now, MAX_EXPIRED_PER_TICK)) this.end(lease, 'token_expired');
    this.revoked.prune(now);
  }

  private end(lease: Lease, code: LeaseEnd): void {
    if (lease.ended) return;
    lease.ended = code;
    const entry = this.channels.get(lease.channel);
    if (entry?.subs.get(lease.sub) === lease) this.detach(lease.channel, entry, lease.sub);
    else this.leases.remove(lease);
    if (this.pending.has(lease)) return; // subscribe() is still waiting and throws the code itself
    try {
      lease.sub.end?.(lease.channel, code, ENDED[code]);
    } catch (err) {
      this.onError(err, 'end subscription');
    }
  }

  unsubscribe(channel: string, sub: Subscriber): void {
    const entry = this.channels.get(channel);
    if (entry) this.detach(channel, entry, sub);
  }

  private detach(channel: string, entry: ChannelEntry, sub: Subscriber): void {
    const lease = entry.subs.get(sub);
    if (!lease) return;
    entry.subs.delete(sub);
    this.leases.remove(lease);
    this.subscriptions--;
    if (entry.subs.size === 0 && this.channels.get(channel) === entry) {
      this.channels.delete(channel);
      this.bus.unsubscribe(channel).catch((err) => this.onError(err, 'bus unsubscribe'));
    }
  }

  /** Called by a feature service after its transaction committed. */
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

  /** Throws `unknown_channel` for a malformed name or a kind nobody registered; transports say this before judging the token. */
  checkChannel(channel: string): void {
    this.registry.check(channel);
  }

  /** Whether `sub` currently follows `channel`. */
  has(channel: string, sub: Subscriber): boolean {
    return this.channels.get(channel)?.subs.has(sub) ?? false;
  }

  stats(): HubStats {
    return { channels: this.channels.size, subscriptions: this.subscriptions };
  }

  /** How many grants this node currently refuses tokens for. */
  revokedGrants(): number {
    return this.revoked.size();
  }

  private async open(channel: string, entry: ChannelEntry): Promise<void> {
    // Everyone left while it waited its turn: subscribing now would leave the bus subscribed for nobody.
    if (this.channels.get(channel) !== entry) {
      entry.opening = null;
      return;
    }
    try {
      await this.bus.subscribe(channel);
      const snap = await this.registry.load(channel);
      if (snap && (entry.frame === null || snap.version > entry.version)) this.setLatest(entry, snap);
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
    if (!entry || (entry.frame !== null && event.version <= entry.version)) return;
    this.setLatest(entry, event);
    if (entry.opening) return; // subscribers get it when the snapshot is in
    for (const sub of entry.subs.keys()) this.deliver(entry, sub);
  }

  private setLatest(entry: ChannelEntry, event: LiveEvent): void {
    entry.version = event.version;
    entry.frame = JSON.stringify({ channel: event.channel, version: event.version, type: event.type, data: event.data });
  }

  private deliver(entry: ChannelEntry, sub: Subscriber): void {
    const lease = entry.subs.get(sub);
    if (entry.frame === null || lease === undefined || entry.version <= lease.has) return;
    lease.has = entry.version;
    try {
      sub.send(entry.version, entry.frame);
    } catch (err) {
      this.onError(err, 'deliver');
    }
  }
}
