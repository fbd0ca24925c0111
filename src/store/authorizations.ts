import type { Kysely } from 'kysely';
import type { Authorization, AuthorizationStatus } from '../domain/authorization.js';
import type { AuthorizationsTable, Database } from './schema.js';
import { updateIfVersion } from './versioned-update.js';

const toDomain = (r: AuthorizationsTable): Authorization => ({
  id: r.id,
  clientId: r.client_id,
  browserHash: r.browser_hash,
  redirectUri: r.redirect_uri,
  scopes: r.scopes.split(' ').filter(Boolean),
  state: r.state,
  nonce: r.nonce,
  codeChallenge: r.code_challenge,
  maxAge: r.max_age === null ? null : Number(r.max_age),
  loginHint: r.login_hint,
  prompt: r.prompt.split(' ').filter(Boolean),
  status: r.status as AuthorizationStatus,
  version: Number(r.version),
  createdAt: Number(r.created_at),
  expiresAt: Number(r.expires_at),
  codeHash: r.code_hash,
  codeExpiresAt: r.code_expires_at === null ? null : Number(r.code_expires_at),
  approval: r.approval ? JSON.parse(r.approval) : null,
  grantId: r.grant_id,
  screenIp: r.screen_ip,
  screenUserAgent: r.screen_user_agent,
});

/** The columns a step may change. */
const stateColumns = (a: Authorization) => ({
  status: a.status,
  version: a.version,
  code_hash: a.codeHash,
  code_expires_at: a.codeExpiresAt,
  approval: a.approval ? JSON.stringify(a.approval) : null,
  grant_id: a.grantId,
});

/** /oauth/authorize visits: the parameters an application sent, then the code they earned. */
export class AuthorizationsRepo {
  constructor(private readonly db: Kysely<Database>) {}

  async insert(a: Authorization): Promise<void> {
    await this.db
      .insertInto('authorizations')
      .values({
        id: a.id,
        client_id: a.clientId,
        browser_hash: a.browserHash,
        redirect_uri: a.redirectUri,
        scopes: a.scopes.join(' '),
        state: a.state,
        nonce: a.nonce,
        code_challenge: a.codeChallenge,
        max_age: a.maxAge,
        login_hint: a.loginHint,
        prompt: a.prompt.join(' '),
        created_at: a.createdAt,
        expires_at: a.expiresAt,
        screen_ip: a.screenIp,
        screen_user_agent: a.screenUserAgent,
        ...stateColumns(a),
      })
      .execute();
  }

  async byId(id: string): Promise<Authorization | undefined> {
    const r = await this.db.selectFrom('authorizations').selectAll().where('id', '=', id).executeTakeFirst();
    return r && toDomain(r);
  }

  async byCodeHash(hash: string): Promise<Authorization | undefined> {
    const r = await this.db.selectFrom('authorizations').selectAll().where('code_hash', '=', hash).executeTakeFirst();
    return r && toDomain(r);
  }

  /** Compare-and-set on the version (see updateIfVersion). */
  update(next: Authorization, expectedVersion: number): Promise<boolean> {
    return updateIfVersion(this.db, 'authorizations', next.id, expectedVersion, stateColumns(next));
  }

  /**
   * Deletes visits over before `before`. A redeemed one is kept while its
   * grant lives, so a replayed code is still recognised and revokes it.
   */
  async purge(before: number): Promise<number> {
    const res = await this.db
      .deleteFrom('authorizations')
      .where('expires_at', '<', before)
      .where((eb) => eb.or([eb('grant_id', 'is', null), eb('grant_id', 'not in', eb.selectFrom('oauth_grants').select('id').where('revoked_at', 'is', null))]))
      .executeTakeFirst();
    return Number(res.numDeletedRows);
  }
}
