/** Why the hub ended a subscription on its own. */
export type LeaseEnd = 'access_revoked' | 'token_expired';

/** A screen's end of the live channel: a socket, an SSE stream, a waiting poll. */
export interface Subscriber {
  /** Called once per newer version; `frame` is the event as JSON, shared by all receivers. */
  send(version: number, frame: string): void;
  /**
   * The hub ended this subscription on its own: its token expired or the
   * right it came from was revoked. The hub has already let go of it; the
   * transport tells its client (and closes what is now empty).
   */
  end?(channel: string, code: LeaseEnd, message: string): void;
}

/**
 * One subscriber on one channel, under the token it subscribed with: which
 * version it has, when the token expires and the grants it carries.
 */
export interface Lease {
  readonly channel: string;
  readonly sub: Subscriber;
  /** The version the subscriber has. */
  has: number;
  /** Epoch ms; Infinity for subscriptions opened without a token (in-process). */
  readonly exp: number;
  readonly grants: readonly string[];
  ended: LeaseEnd | null;
  /** The expiry bucket it sits in; 0 for none. */
  second: number;
}

/**
 * Finds leases by grant (for a revocation) and by expiry second (for the
 * sweep). Expiry is a wheel of one-second buckets rather than a timer per
 * subscription: 15,000 idle subscribers cost a Set entry each, and the sweep
 * touches only the buckets that came due.
 */
export class LeaseIndex {
  /** A grant most often carries one lease (a pass link's, a device's on one channel): kept as itself, a Set only from the second. */
  private readonly byGrant = new Map<string, Lease | Set<Lease>>();
  private readonly bySecond = new Map<number, Set<Lease>>();
  /** Every bucket up to this second has been swept. */
  private swept: number;

  constructor(now: number) {
    this.swept = Math.floor(now / 1000);
  }

  add(l: Lease): void {
    if (Number.isFinite(l.exp)) {
      // A bucket already swept would never come due again: use the next one.
      l.second = Math.max(Math.ceil(l.exp / 1000), this.swept + 1);
      let bucket = this.bySecond.get(l.second);
      if (!bucket) this.bySecond.set(l.second, (bucket = new Set()));
      bucket.add(l);
    }
    for (const g of l.grants) {
      const cur = this.byGrant.get(g);
      if (cur === undefined) this.byGrant.set(g, l);
      else if (cur instanceof Set) cur.add(l);
      else if (cur !== l) this.byGrant.set(g, new Set([cur, l]));
    }
  }

  remove(l: Lease): void {
    if (l.second !== 0) {
      const bucket = this.bySecond.get(l.second);
      if (bucket?.delete(l) && bucket.size === 0) this.bySecond.delete(l.second);
      l.second = 0;
    }
    for (const g of l.grants) {
      const cur = this.byGrant.get(g);
      if (cur === l) this.byGrant.delete(g);
      else if (cur instanceof Set && cur.delete(l) && cur.size === 0) this.byGrant.delete(g);
    }
  }

  /** The leases carrying `grant` (only those on `channel`, if given). */
  under(grant: string, channel?: string): Lease[] {
    const cur = this.byGrant.get(grant);
    if (cur === undefined) return [];
    const all = cur instanceof Set ? [...cur] : [cur];
    return channel === undefined ? all : all.filter((l) => l.channel === channel);
  }

  /**
   * Up to `max` leases whose token has expired by `now`; the rest stay for the
   * next call, so a thousand tokens minted in the same second do not all end
   * in one turn of the event loop.
   */
  due(now: number, max: number): Lease[] {
    const upTo = Math.floor(now / 1000);
    const out: Lease[] = [];
    if (upTo <= this.swept) return out;
    // After a long pause (a driven clock, a suspended laptop) walk the buckets, not the seconds.
    const seconds =
      upTo - this.swept > this.bySecond.size
        ? [...this.bySecond.keys()].filter((s) => s <= upTo).sort((a, b) => a - b)
        : Array.from({ length: upTo - this.swept }, (_, i) => this.swept + 1 + i);
    for (const s of seconds) {
      const bucket = this.bySecond.get(s);
      if (bucket) {
        for (const l of bucket) {
          if (out.length >= max) return out;
          out.push(l);
          bucket.delete(l);
          l.second = 0;
        }
        this.bySecond.delete(s);
      }
      this.swept = s;
    }
    this.swept = upTo;
    return out;
  }
}
