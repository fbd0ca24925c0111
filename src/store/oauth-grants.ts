import type { Kysely } from 'kysely';
import type { Database, OAuthGrantsTable } from './schema.js';

/** One signed-in screen or app: what its tokens say, and whether it is still signed in. */
export interface OAuthGrant {
  id: string;
  clientId: string;
  subject: string;
  userId: string | null;
  scopes: string[];
  claims: Record<string, unknown>;
  /** How it signed in: 'device' (RFC 8628) or 'code' (authorization code). */
  via: 'device' | 'code';
  authTime: number;
  createdAt: number;
  lastUsedAt: number;
  revokedAt: number | null;
  screenIp: string;
  screenUserAgent: string;
}

const toGrant = (r: OAuthGrantsTable): OAuthGrant => ({
  id: r.id,
  clientId: r.client_id,
  subject: r.subject,
  userId: r.user_id,
  scopes: r.scopes.split(' ').filter(Boolean),
  claims: JSON.parse(r.claims) as Record<string, unknown>,
  via: r.via as OAuthGrant['via'],
  authTime: Number(r.auth_time),
  createdAt: Number(r.created_at),
  lastUsedAt: Number(r.last_used_at),
  revokedAt: r.revoked_at === null ? null : Number(r.revoked_at),
  screenIp: r.screen_ip,
  screenUserAgent: r.screen_user_agent,
});

/** The outcome of presenting a refresh token. */
export type RefreshUse = { kind: 'ok'; grant: OAuthGrant } | { kind: 'unknown' } | { kind: 'expired' } | { kind: 'reused'; grantId: string } | { kind: 'revoked' };

/** Grants (signed-in screens and apps) and their refresh tokens, stored as hashes. */
export class OAuthGrantsRepo {
  constructor(private readonly db: Kysely<Database>) {}

  async insert(g: OAuthGrant): Promise<void> {
    await this.db
      .insertInto('oauth_grants')
      .values({
        id: g.id,
        client_id: g.clientId,
        subject: g.subject,
        user_id: g.userId,
        scopes: g.scopes.join(' '),
        claims: JSON.stringify(g.claims),
        via: g.via,
        auth_time: g.authTime,
        created_at: g.createdAt,
        last_used_at: g.lastUsedAt,
        revoked_at: g.revokedAt,
        screen_ip: g.screenIp,
        screen_user_agent: g.screenUserAgent,
      })
      .execute();
  }

  async byId(id: string): Promise<OAuthGrant | undefined> {
    const r = await this.db.selectFrom('oauth_grants').selectAll().where('id', '=', id).executeTakeFirst();
    return r && toGrant(r);
  }

  /** The screens and apps an account has signed in, newest first. */
  async activeForUser(userId: string, limit = 100): Promise<OAuthGrant[]> {
    const rows = await this.db.selectFrom('oauth_grants').selectAll().where('user_id', '=', userId).where('revoked_at', 'is', null).orderBy('created_at', 'desc').limit(limit).execute();
    return rows.map(toGrant);
  }

  /**
   * Revokes a grant and its refresh tokens; false when it was already revoked
   * or does not exist. The mark comes first and is enough on its own (a
   * revoked grant's tokens are refused); deleting the tokens only tidies.
   */
  async revoke(id: string, now: number): Promise<boolean> {
    const res = await this.db.updateTable('oauth_grants').set({ revoked_at: now }).where('id', '=', id).where('revoked_at', 'is', null).executeTakeFirst();
    await this.db.deleteFrom('refresh_tokens').where('grant_id', '=', id).execute();
    return Number(res.numUpdatedRows) === 1;
  }

  async addRefreshToken(hash: string, grantId: string, now: number, expiresAt: number): Promise<void> {
    await this.db.insertInto('refresh_tokens').values({ token_hash: hash, grant_id: grantId, created_at: now, expires_at: expiresAt, used_at: null }).execute();
  }

  /**
   * Spends a refresh token: the first caller wins (compare-and-set on
   * `used_at`); a token already spent, by an earlier or a racing caller, is
   * reuse (RFC 9700 4.14.2) and the caller must revoke its grant.
   */
  async spendRefreshToken(hash: string, now: number): Promise<RefreshUse> {
    const row = await this.db
      .selectFrom('refresh_tokens')
      .innerJoin('oauth_grants', 'oauth_grants.id', 'refresh_tokens.grant_id')
      .selectAll('oauth_grants')
      .select(['refresh_tokens.expires_at as rt_expires_at', 'refresh_tokens.used_at as rt_used_at'])
      .where('refresh_tokens.token_hash', '=', hash)
      .executeTakeFirst();
    if (!row) return { kind: 'unknown' };
    if (row.revoked_at !== null) return { kind: 'revoked' };
    if (row.rt_used_at !== null) return { kind: 'reused', grantId: row.id };
    if (now >= Number(row.rt_expires_at)) return { kind: 'expired' };
    const res = await this.db.updateTable('refresh_tokens').set({ used_at: now }).where('token_hash', '=', hash).where('used_at', 'is', null).executeTakeFirst();
    if (Number(res.numUpdatedRows) !== 1) return { kind: 'reused', grantId: row.id };
    await this.db.updateTable('oauth_grants').set({ last_used_at: now }).where('id', '=', row.id).execute();
    const { rt_expires_at: _e, rt_used_at: _u, ...grant } = row;
    return { kind: 'ok', grant: toGrant(grant) };
  }

  /** Whether tokens of this grant still count (UserInfo asks before answering). */
  async isActive(id: string): Promise<boolean> {
    const r = await this.db.selectFrom('oauth_grants').select('revoked_at').where('id', '=', id).executeTakeFirst();
    return !!r && r.revoked_at === null;
  }

  /**
   * Deletes expired refresh tokens and grants revoked before `before`. Spent
   * tokens stay until they expire: presenting one again must still be seen as reuse.
   */
  async purge(now: number, before: number): Promise<number> {
    const t = await this.db.deleteFrom('refresh_tokens').where('expires_at', '<', now).executeTakeFirst();
    const g = await this.db.deleteFrom('oauth_grants').where('revoked_at', '<', before).executeTakeFirst();
    return Number(t.numDeletedRows) + Number(g.numDeletedRows);
  }
}
