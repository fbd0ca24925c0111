/**
 * Per-address bounds on this node's WebSockets: how many may be open at once,
 * and how fast new ones may be opened (a token bucket holding
 * `upgradesPerMinute`, refilled evenly over the minute, so a whole NAT
 * reconnecting after a restart fits in one burst). Addresses are keys from
 * `addressKey()` (an IPv6 host counts by its /64).
 */
export class AddressLimits {
  private readonly open = new Map<string, number>();
  private readonly buckets = new Map<string, { tokens: number; at: number }>();
  private readonly sweep: NodeJS.Timeout;

  constructor(
    private readonly maxOpen: number,
    private readonly upgradesPerMinute: number,
    private readonly now: () => number = Date.now,
  ) {
    // Full buckets carry no information: forget them so idle addresses cost nothing.
    this.sweep = setInterval(() => this.forgetFull(), 60_000);
    this.sweep.unref();
  }

  /**
   * Whether `key` may open one more socket now; if so the upgrade is counted.
   * `retryAfterSeconds` says when to try again when it may not.
   */
  admit(key: string): { ok: true } | { ok: false; reason: 'sockets' | 'rate'; retryAfterSeconds: number } {
    if ((this.open.get(key) ?? 0) >= this.maxOpen) return { ok: false, reason: 'sockets', retryAfterSeconds: 30 };
    const now = this.now();
    const perMs = this.upgradesPerMinute / 60_000;
    const b = this.buckets.get(key) ?? { tokens: this.upgradesPerMinute, at: now };
    b.tokens = Math.min(this.upgradesPerMinute, b.tokens + (now - b.at) * perMs);
    b.at = now;
    this.buckets.set(key, b);
    if (b.tokens < 1) return { ok: false, reason: 'rate', retryAfterSeconds: Math.max(1, Math.ceil((1 - b.tokens) / perMs / 1000)) };
    b.tokens -= 1;
    return { ok: true };
  }

  opened(key: string): void {
    this.open.set(key, (this.open.get(key) ?? 0) + 1);
  }

  closed(key: string): void {
    const n = (this.open.get(key) ?? 0) - 1;
    if (n > 0) this.open.set(key, n);
    else this.open.delete(key);
  }

  openFrom(key: string): number {
    return this.open.get(key) ?? 0;
  }

  stop(): void {
    clearInterval(this.sweep);
  }

  private forgetFull(): void {
    const now = this.now();
    for (const [key, b] of this.buckets) {
      if (b.tokens + ((now - b.at) * this.upgradesPerMinute) / 60_000 >= this.upgradesPerMinute) this.buckets.delete(key);
    }
  }
}
