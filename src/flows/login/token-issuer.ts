import { sha256 } from '../../auth/secrets.js';
import type { Clock } from '../../domain/clock.js';
import { randomToken, randomUuid, type Random } from '../../domain/random.js';
import type { StoredClient } from '../../store/clients.js';
import type { OAuthGrant, OAuthGrantsRepo } from '../../store/oauth-grants.js';
import type { UsersRepo } from '../../store/users.js';
import { OAuthError } from './oauth-error.js';
import type { TokenSigner } from './token-signer.js';

/** What a token response holds (RFC 6749 5.1, OpenID Core 3.1.3.3). */
export interface TokenResponse {
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
  scope: string;
  id_token?: string;
  refresh_token?: string;
}

/** Registered claims are ours to set; an application's approval cannot carry them. */
export const RESERVED_CLAIMS = new Set(['iss', 'sub', 'aud', 'exp', 'iat', 'nbf', 'jti', 'auth_time', 'nonce', 'azp', 'acr', 'amr', 'scope', 'client_id', 'sid', 'at_hash', 'c_hash', 'events']);

export interface NewSignIn {
  /** The grant's id when the caller had to know it first (default: a new one). */
  grantId?: string;
  client: StoredClient;
  subject: string;
  /** The approving account; null when an application's API key approved for its own user. */
  userId: string | null;
  scopes: string[];
  claims: Record<string, unknown>;
  via: OAuthGrant['via'];
  authTime: number;
  nonce: string | null;
  screenIp: string;
  screenUserAgent: string;
}

/**
 * Turns an approval into tokens, for the device grant and the authorization
 * code alike. Every sign-in is a grant: its id is the `sid` of the tokens,
 * the phone's account page lists it, and revoking it ends its refresh tokens
 * and its access tokens at UserInfo.
 */
export class TokenIssuer {
  constructor(
    private readonly d: { grants: OAuthGrantsRepo; users: Pick<UsersRepo, 'findById'>; signer: TokenSigner; clock: Clock; random: Random },
    private readonly o: { issuer: string; accessTokenTtlSeconds: number; refreshTokenTtlDays: number },
  ) {}

  async signIn(s: NewSignIn): Promise<{ grant: OAuthGrant; tokens: TokenResponse }> {
    const now = this.d.clock.now();
    const grant: OAuthGrant = {
      id: s.grantId ?? randomUuid(this.d.random),
      clientId: s.client.client_id,
      subject: s.subject,
      userId: s.userId,
      scopes: s.scopes,
      claims: scopedClaims(s.scopes, s.claims),
      via: s.via,
      authTime: s.authTime,
      createdAt: now,
      lastUsedAt: now,
      revokedAt: null,
      screenIp: s.screenIp,
      screenUserAgent: s.screenUserAgent.slice(0, 400),
    };
    await this.d.grants.insert(grant);
    return { grant, tokens: await this.tokensFor(s.client, grant, s.scopes, s.nonce) };
  }

  /**
   * RFC 6749 6: a refresh token is spent once and replaced (rotation). One
   * presented again means two holders: the grant is revoked for both (RFC 9700 4.14.2).
   */
  async refresh(client: StoredClient, refreshToken: string, scope: string | undefined): Promise<TokenResponse> {
    const use = await this.d.grants.spendRefreshToken(sha256(refreshToken), this.d.clock.now());
    if (use.kind === 'reused') {
      await this.d.grants.revoke(use.grantId, this.d.clock.now());
      throw new OAuthError('invalid_grant', 'this refresh token was already used; the sign-in has been revoked for safety');
    }
    if (use.kind === 'revoked') throw new OAuthError('invalid_grant', 'this sign-in has been revoked');
    if (use.kind === 'expired') throw new OAuthError('invalid_grant', 'the refresh token has expired; sign in again');
    if (use.kind === 'unknown') throw new OAuthError('invalid_grant', 'unknown refresh token');
    const grant = use.grant;
    if (grant.clientId !== client.client_id) {
      // Someone else's token in this client's hands: it is leaked, end it.
      await this.d.grants.revoke(grant.id, this.d.clock.now());
      throw new OAuthError('invalid_grant', 'the refresh token was issued to another client');
    }
    if (grant.userId !== null && (await this.d.users.findById(grant.userId))?.disabled) {
      await this.d.grants.revoke(grant.id, this.d.clock.now());
      throw new OAuthError('invalid_grant', 'the account of this sign-in has been disabled');
    }
    let scopes = grant.scopes;
    if (scope !== undefined) {
      const asked = [...new Set(scope.split(' ').filter(Boolean))];
      const wider = asked.filter((s) => !grant.scopes.includes(s));
      if (wider.length > 0) throw new OAuthError('invalid_scope', `scope beyond the original grant: ${wider.join(' ')}`);
      scopes = asked;
    }
    return this.tokensFor(client, grant, scopes, null);
  }

  private async tokensFor(client: StoredClient, grant: OAuthGrant, scopes: string[], nonce: string | null): Promise<TokenResponse> {
    const now = this.d.clock.now();
    const scope = scopes.join(' ');
    const claims = scopedClaims(scopes, grant.claims);
    const ttl = this.o.accessTokenTtlSeconds;
    const accessToken = await this.d.signer.sign({ sub: grant.subject, client_id: client.client_id, scope, sid: grant.id, claims }, this.o.issuer, ttl, now, 'at+jwt');
    const response: TokenResponse = { access_token: accessToken, token_type: 'Bearer', expires_in: ttl, scope };
    if (scopes.includes('openid')) {
      response.id_token = await this.d.signer.sign(
        { sub: grant.subject, auth_time: Math.floor(grant.authTime / 1000), sid: grant.id, ...(nonce ? { nonce } : {}), ...claims },
        client.client_id,
        ttl,
        now,
      );
    }
    if (scopes.includes('offline_access') && client.grant_types.includes('refresh_token')) {
      const refreshToken = randomToken(this.d.random, 32);
      await this.d.grants.addRefreshToken(sha256(refreshToken), grant.id, now, now + this.o.refreshTokenTtlDays * 86_400_000);
      response.refresh_token = refreshToken;
    }
    return response;
  }
}

/** OpenID scopes decide which profile claims reach the client. */
export function scopedClaims(scopes: string[], claims: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const profile = ['name', 'given_name', 'family_name', 'nickname', 'preferred_username', 'picture', 'locale', 'zoneinfo', 'updated_at'];
  const email = ['email', 'email_verified'];
  const phone = ['phone_number', 'phone_number_verified'];
  const standard = new Set([...profile, ...email, ...phone]);
  for (const [k, v] of Object.entries(claims)) {
    if (profile.includes(k) && !scopes.includes('profile')) continue;
    if (email.includes(k) && !scopes.includes('email')) continue;
    if (phone.includes(k) && !scopes.includes('phone')) continue;
    // Application-specific claims travel with any scope; the application chose to send them.
    if (standard.has(k) || !RESERVED_CLAIMS.has(k)) out[k] = v;
  }
  return out;
}
