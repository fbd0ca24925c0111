import { sql, type Insertable, type Kysely } from 'kysely';
import { PreparedQuery } from './prepared-query.js';
import type { UnitsOfWork } from './units-of-work.js';
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

/** Every column named: the placeholders are not enumerable, so `values(p)` would insert none. */
const COLUMNS = [
  'id', 'device_code_hash', 'user_code', 'client_id', 'scopes', 'created_at', 'expires_at', 'live_screen', 'screen_ip', 'screen_user_agent', 'authorization_id', 'screen_watched',
  'status', 'version', 'interval_s', 'last_poll_at', 'claimed_by', 'claimed_at', 'match_number', 'match_choices', 'approval', 'decided_at', 'deny_reason',
] as const satisfies readonly (keyof LoginRequestsTable)[];

/** The statuses of a request still waiting for its end: the expiry sweep's, matching the partial index `login_requests_due` (migration 022). */
const UNDECIDED = sql<boolean>`status in ('pending', 'scanned', 'approved')`;

export class LoginRequestsRepo {
  /** Every device authorization request runs it: built once (see PreparedQuery). */
  private readonly insertQuery = new PreparedQuery((db, p: Insertable<LoginRequestsTable>) =>
    db
      .insertInto('login_requests')
      .values(Object.fromEntries(COLUMNS.map((c) => [c, p[c]])) as Insertable<LoginRequestsTable>)
      .onConflict((oc) => oc.doNothing()),
  );

  constructor(
    private readonly db: Kysely<Database>,
    /** Where new requests are written: on SQLite, requests that arrive together share a commit. */
    private readonly units: UnitsOfWork,
  ) {}

  /** Returns false when the user code (or device code) collides; the caller draws again. */
  async insert(r: StoredLoginRequest, deviceCodeHash: string): Promise<boolean> {
    const row: Insertable<LoginRequestsTable> = {
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
    };
    const res = await this.units.execute((unit) => unit.run(this.insertQuery, row));
    return Number(res.numAffectedRows ?? 0) > 0;
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
      // Literal statuses: only then may SQLite read the partial index of undecided requests.
      .where(UNDECIDED)
      .where('expires_at', '<=', now)
      .limit(limit)
      .execute();
    return rows.map((r) => r.id);
  }

  /**
   * Deletes requests that expired, or were denied or redeemed, before
   * `before`. Two deletes, each along an index (expiry; decision time of the
   * decided): one with an OR read the whole table, which in front of a busy
   * screen wall holds every request of the last hour.
   */
  async purge(before: number): Promise<number> {
    const expired = await this.db.deleteFrom('login_requests').where('expires_at', '<', before).executeTakeFirst();
    // Denied and redeemed requests are over as soon as they are decided.
    const decided = await this.db
      .deleteFrom('login_requests')
      .where(sql<boolean>`status in ('denied', 'redeemed')`)
      .where('decided_at', '<', before)
      .executeTakeFirst();
    return Number(expired.numDeletedRows) + Number(decided.numDeletedRows);
  }
}
