import type { Revocation } from '../domain/live-grant.js';
import type { TokenClaims } from './channel-token.js';

/**
 * The revocations this node has heard of, kept as long as a token minted
 * before them could still be alive (`keepMs`, the longest token lifetime), so
 * a revoked device cannot simply subscribe again with the token it holds.
 * Revocations are rare (people do them by hand): a map of short lists is plenty.
 */
export class RevocationMemory {
  private readonly byGrant = new Map<string, Revocation[]>();

  constructor(private readonly keepMs: number) {}

  remember(r: Revocation): void {
    const list = this.byGrant.get(r.grant);
    if (!list) this.byGrant.set(r.grant, [r]);
    else if (!list.some((o) => o.at === r.at && o.channel === r.channel)) list.push(r);
  }

  /**
   * The revocation that refuses a token with these claims on `channel`, if
   * any. A revocation without a channel refuses every token of its grant: the
   * right never comes back, so no clock needs comparing. One scoped to a
   * channel refuses tokens minted up to its time; tokens carry that time to
   * the second, so one minted in the second of the revocation counts as
   * before it (a user assigned again within that second fetches again), and
   * nodes' clocks must agree to within a second or so for it to be exact.
   */
  refuses(channel: string, claims: TokenClaims): Revocation | null {
    for (const g of claims.grants) {
      const list = this.byGrant.get(g);
      if (!list) continue;
      for (const r of list) if (r.channel === undefined || (r.channel === channel && claims.iat <= r.at)) return r;
    }
    return null;
  }

  /** Forgets revocations older than any token that could still be alive. */
  prune(now: number): void {
    for (const [grant, list] of this.byGrant) {
      const kept = list.filter((r) => r.at > now - this.keepMs);
      if (kept.length === 0) this.byGrant.delete(grant);
      else if (kept.length !== list.length) this.byGrant.set(grant, kept);
    }
  }

  size(): number {
    return this.byGrant.size;
  }
}
