import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import { sha256 } from '../../auth/secrets.js';
import type { Clock } from '../../domain/clock.js';
import { passLinkGrant } from '../../domain/live-grant.js';
import { randomToken, type Random } from '../../domain/random.js';
import type { PassLinksRepo, StoredLink } from '../../store/pass-links.js';
import type { Database } from '../../store/schema.js';
import { getOrCreateSecret } from '../../store/secrets.js';
import type { UnitsOfWork } from '../../store/units-of-work.js';
import type { CheckinLive } from '../checkin/checkin-live.js';

/** Where an attendee's link stands: `kept` (can be mailed and exported as is), `none` yet, or `shown_once` (only its hash is known). */
export type LinkState = 'kept' | 'none' | 'shown_once';

export const passLinkUrl = (publicUrl: string, token: string) => `${publicUrl}/pass?link=${token}`;

/**
 * Personal pass links that can be given again. The pass is opened by the
 * link's hash (attendees.link_token_hash); to mail a link, resend it, or
 * export it, the server keeps a sealed copy (AES-256-GCM under a key in the
 * shared `server_secrets`, so every node can open it). Whoever has the whole
 * database can therefore read the links, as they could the pass itself; a
 * dump of the attendees table alone cannot.
 *
 * A link made before copies were kept (or by an older path) is `shown_once`:
 * giving it again means issuing a new one, which ends the old. That happens
 * only for such links, never for a kept one: a mailed link stays valid until
 * the organiser rotates it by hand.
 */
export class PassLinks {
  private key: Promise<Buffer> | undefined;

  constructor(
    private readonly d: { db: Kysely<Database>; units: UnitsOfWork; links: PassLinksRepo; channels: CheckinLive; clock: Clock; random: Random; publicUrl: string },
  ) {}

  /** Loads the sealing key; call before a unit of work that keeps a link (a unit may not reach the store outside itself). */
  ready(): Promise<Buffer> {
    this.key ??= getOrCreateSecret(this.d.db, 'pass_link_key', () => randomBytes(32).toString('base64url'), this.d.clock.now()).then((k) => Buffer.from(k, 'base64url'));
    // A failed read (database down) is tried again next time.
    this.key.catch(() => (this.key = undefined));
    return this.key;
  }

  /** Keeps the sealed copy of a new link, on the caller's unit of work (`ready()` first). */
  async keep(attendeeId: string, token: string, db: Kysely<Database>): Promise<void> {
    await this.d.links.keep(attendeeId, this.seal(await this.ready(), token), this.d.clock.now(), db);
  }

  /** Keeps the copies of many new links (`[attendee id, link]`), on the caller's unit of work (`ready()` first). */
  async keepMany(links: [string, string][], db: Kysely<Database>): Promise<void> {
    const key = await this.ready();
    await this.d.links.keepMany(links.map(([attendeeId, token]) => ({ attendeeId, sealed: this.seal(key, token) })), this.d.clock.now(), db);
  }

  url(token: string): string {
    return passLinkUrl(this.d.publicUrl, token);
  }

  /** The state of each attendee's link (see LinkState). */
  async states(attendeeIds: string[]): Promise<Map<string, LinkState>> {
    const key = await this.ready();
    const out = new Map<string, LinkState>();
    for (const [id, s] of await this.d.links.of(attendeeIds)) out.set(id, this.open(key, s) !== null ? 'kept' : s.linkHash === null ? 'none' : 'shown_once');
    return out;
  }

  /**
   * Each attendee's current link, issuing one where none can be given again
   * (see the class comment). Undefined for an id that is no attendee.
   */
  async current(attendeeIds: string[]): Promise<Map<string, string>> {
    const key = await this.ready();
    const out = new Map<string, string>();
    for (const [id, s] of await this.d.links.of(attendeeIds)) {
      const token = this.open(key, s) ?? (await this.issue(key, s));
      if (token) out.set(id, token);
    }
    return out;
  }

  /** A new link in place of `s`'s, by compare-and-set; when another node won, its link (re-read). */
  private async issue(key: Buffer, s: StoredLink): Promise<string | undefined> {
    for (let tries = 0; tries < 3; tries++) {
      const token = randomToken(this.d.random, 24);
      const hash = sha256(token);
      const sealed = this.seal(key, token);
      const expected = s.linkHash;
      // The hash and its copy in one unit: a link that is set always has its copy, and a loser writes neither.
      const won = await this.d.units.execute(async ({ db }) => {
        if (!(await this.d.links.replaceHash(s.attendeeId, expected, hash, db))) return false;
        await this.d.links.keep(s.attendeeId, sealed, this.d.clock.now(), db);
        return true;
      });
      if (won) {
        // Whoever held the old link (shown once) stops seeing the pass.
        if (s.linkHash) this.d.channels.revoke(passLinkGrant(s.linkHash));
        return token;
      }
      const now = (await this.d.links.of([s.attendeeId])).get(s.attendeeId);
      if (!now) return undefined;
      const theirs = this.open(key, now);
      if (theirs) return theirs;
      s = now;
    }
    return undefined;
  }

  /** The kept link, if its copy is the current link (a rotation by an older path leaves a stale copy). */
  private open(key: Buffer, s: StoredLink): string | null {
    if (!s.sealed || !s.linkHash) return null;
    try {
      const raw = Buffer.from(s.sealed, 'base64url');
      const d = createDecipheriv('aes-256-gcm', key, raw.subarray(0, 12));
      d.setAuthTag(raw.subarray(12, 28));
      const token = Buffer.concat([d.update(raw.subarray(28)), d.final()]).toString('utf8');
      return sha256(token) === s.linkHash ? token : null;
    } catch {
      return null;
    }
  }

  private seal(key: Buffer, token: string): string {
    const iv = randomBytes(12);
    const c = createCipheriv('aes-256-gcm', key, iv);
    const body = Buffer.concat([c.update(token, 'utf8'), c.final()]);
    return Buffer.concat([iv, c.getAuthTag(), body]).toString('base64url');
  }
}
