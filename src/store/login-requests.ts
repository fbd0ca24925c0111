import type { Kysely } from 'kysely';
import type { LoginRequest, LoginStatus } from '../domain/login-request.js';
import type { Database, LoginRequestsTable } from './schema.js';
import { updateIfVersion } from './versioned-update.js';

export interface StoredLoginRequest extends LoginRequest {
  userCode: string;
  screenIp: string;
  screenUserAgent: string;
  /** The /oauth/authorize visit whose page shows this QR; null for the device grant. */
  authorizationId: string | null;
}

const toDomain = (r: LoginRequestsTable): StoredLoginRequest => ({
  id: r.id,
  clientId: r.client_id,
  scopes: r.scopes.split(' ').filter(Boolean),
  status: r.status as LoginStatus,
  version: Number(r.version),
  createdAt: r.created_at,
  expiresAt: r.expires_at,
  interval: r.interval_s,
  lastPollAt: r.last_poll_at,
  claimedBy: r.claimed_by,
  claimedAt: r.claimed_at,
  liveScreen: r.live_screen === 1,
  matchNumber: r.match_number,
  matchChoices: r.match_choices ? (JSON.parse(r.match_choices) as number[]) : null,
  approval: r.approval ? JSON.parse(r.approval) : null,
  decidedAt: r.decided_at,
  denyReason: r.deny_reason,
  userCode: r.user_code,
  screenIp: r.screen_ip,
  screenUserAgent: r.screen_user_agent,
  authorizationId: r.authorization_id,
});

/** The columns a state transition may change. */
const stateColumns = (r: LoginRequest) => ({
  status: r.status,
  version: r.version,
  interval_s: r.interval,
  last_poll_at: r.lastPollAt,
  claimed_by: r.claimedBy,
  claimed_at: r.claimedAt,
  match_number: r.matchNumber,
  match_choices: r.matchChoices ? JSON.stringify(r.matchChoices) : null,
  approval: r.approval ? JSON.stringify(r.approval) : null,
  decided_at: r.decidedAt,
  deny_reason: r.denyReason,
});

export class LoginRequestsRepo {
  constructor(private readonly db: Kysely<Database>) {}

  /** Returns false when the user code (or device code) collides; the caller draws again. */
  async insert(r: StoredLoginRequest, deviceCodeHash: string): Promise<boolean> {
    const res = await this.db
      .insertInto('login_requests')
      .values({
        id: r.id,
        device_code_hash: deviceCodeHash,
        user_code: r.userCode,
        client_id: r.clientId,
        scopes: r.scopes.join(' '),
        created_at: r.createdAt,
        expires_at: r.expiresAt,
        live_screen: r.liveScreen ? 1 : 0,
        screen_ip: r.screenIp,
        screen_user_agent: r.screenUserAgent,
        authorization_id: r.authorizationId,
        screen_watched: 0,
        ...stateColumns(r),
      })
      .onConflict((oc) => oc.doNothing())
      .executeTakeFirst();
    return Number(res.numInsertedOrUpdatedRows ?? 0) > 0;
  }

  async byId(id: string): Promise<StoredLoginRequest | undefined> {
    const r = await this.db.selectFrom('login_requests').selectAll().where('id', '=', id).executeTakeFirst();
    return r && toDomain(r);
  }

  async byUserCode(code: string): Promise<StoredLoginRequest | undefined> {
    const r = await this.db.selectFrom('login_requests').selectAll().where('user_code', '=', code).executeTakeFirst();
    return r && toDomain(r);
  }

  async byDeviceCodeHash(hash: string): Promise<StoredLoginRequest | undefined> {
    const r = await this.db.selectFrom('login_requests').selectAll().where('device_code_hash', '=', hash).executeTakeFirst();
    return r && toDomain(r);
  }

  /**
   * The first browser that watches a pending request's channel becomes its
   * screen: that is what the phone should describe, not the back end that
   * asked. Later watchers change nothing. Not a state change: no version bump.
   */
  async noteWatcher(id: string, ip: string, userAgent: string): Promise<void> {
    await this.db
      .updateTable('login_requests')
      .set({ screen_ip: ip, screen_user_agent: userAgent, screen_watched: 1 })
      .where('id', '=', id)
      .where('screen_watched', '=', 0)
      .where('status', '=', 'pending')
      .execute();
  }

  /** Compare-and-set: writes `next` only if the row is still at `expectedVersion`. */
  update(next: LoginRequest, expectedVersion: number): Promise<boolean> {
    return updateIfVersion(this.db, 'login_requests', next.id, expectedVersion, stateColumns(next));
  }

  /** Ids of undecided (or unredeemed) requests whose time is up. */
  async dueForExpiry(now: number, limit: number): Promise<string[]> {
    const rows = await this.db
      .selectFrom('login_requests')
      .select('id')
      .where('status', 'in', ['pending', 'scanned', 'approved'])
      .where('expires_at', '<=', now)
      .limit(limit)
      .execute();
    return rows.map((r) => r.id);
  }

  /** Deletes requests that expired, or were denied or redeemed, before `before`. */
  async purge(before: number): Promise<number> {
    const res = await this.db
      .deleteFrom('login_requests')
      .where((eb) =>
        eb.or([
          eb('expires_at', '<', before),
          // Denied and redeemed requests are over as soon as they are decided.
          eb.and([eb('status', 'in', ['denied', 'redeemed']), eb('decided_at', '<', before)]),
        ]),
      )
      .executeTakeFirst();
    return Number(res.numDeletedRows);
  }
}
