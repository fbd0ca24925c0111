import type { Principal } from '../../auth/auth-service.js';
import { safeEqual, sha256 } from '../../auth/secrets.js';
import * as visit from '../../domain/authorization.js';
import type { Authorization, CodeApproval } from '../../domain/authorization.js';
import { isAuthorizeRefusal, parseAuthorizeParams, single } from '../../domain/authorize-request.js';
import type { Clock } from '../../domain/clock.js';
import { AppError } from '../../domain/errors.js';
import { randomToken, randomUuid, type Random } from '../../domain/random.js';
import { redirectUriMatches } from '../../domain/redirect-uri.js';
import type { AuthorizationsRepo } from '../../store/authorizations.js';
import type { ClientsRepo, StoredClient } from '../../store/clients.js';
import type { OAuthGrantsRepo } from '../../store/oauth-grants.js';
import type { LoginService } from './login-service.js';
import { OAuthError } from './oauth-error.js';
import type { TokenIssuer } from './token-issuer.js';

/** What GET /oauth/authorize answers. */
export type AuthorizeOutcome =
  /** The QR page, bound to this browser by a cookie holding `browserSecret`. */
  | { kind: 'page'; id: string; browserSecret: string }
  /** Back to the application, with a code or an error (prompt=none, or a refusal it must hear). */
  | { kind: 'redirect'; location: string }
  /** No trustworthy place to send the browser back to: our own page says what is wrong (OpenID Core 3.1.2.6). */
  | { kind: 'refused'; error: 'invalid_client' | 'invalid_redirect_uri' | 'invalid_request'; description: string };

interface Browser {
  ip: string;
  userAgent: string;
  principal: Principal | null;
}

/** What the QR page shows. */
export interface AuthorizePageView {
  client: { client_id: string; name: string };
  scopes: string[];
  login_hint: string | null;
  expires_at: number;
  /** Set when this browser is signed in to scanpass recently enough to approve here, without a phone. */
  signed_in_as: { name: string; email: string } | null;
}

/**
 * OpenID Connect's authorization code flow whose sign-in page is a QR
 * (OpenID Core 3.1, RFC 6749 4.1, RFC 7636, RFC 9207's `iss`). The QR is an
 * ordinary login request of the device flow, tied to the visit: the phone
 * scans, matches the number and approves as always, the page trades that
 * approval for a code, and the browser goes back to the application.
 */
export class AuthorizeService {
  constructor(
    private readonly d: {
      visits: AuthorizationsRepo;
      clients: ClientsRepo;
      grants: OAuthGrantsRepo;
      login: LoginService;
      issuer: TokenIssuer;
      clock: Clock;
      random: Random;
    },
    private readonly o: { publicUrl: string },
  ) {}

  async begin(query: Record<string, unknown>, browser: Browser): Promise<AuthorizeOutcome> {
    const clientId = single(query, 'client_id');
    if (typeof clientId !== 'string' || clientId.length > 200) return { kind: 'refused', error: 'invalid_client', description: 'client_id is missing or malformed' };
    const client = await this.d.clients.find(clientId);
    if (!client || !client.grant_types.includes('authorization_code')) return { kind: 'refused', error: 'invalid_client', description: 'no application with this client_id may sign people in here' };
    const redirectUri = single(query, 'redirect_uri');
    if (typeof redirectUri !== 'string') return { kind: 'refused', error: 'invalid_redirect_uri', description: 'redirect_uri is required' };
    if (!redirectUriMatches(client.redirect_uris, redirectUri)) return { kind: 'refused', error: 'invalid_redirect_uri', description: 'redirect_uri is not one the application registered' };

    const stateRaw = single(query, 'state');
    const state = typeof stateRaw === 'string' && stateRaw.length <= 2048 ? stateRaw || null : null;
    const params = parseAuthorizeParams(query, client);
    if (isAuthorizeRefusal(params)) return { kind: 'redirect', location: this.back(redirectUri, { error: params.error, error_description: params.description }, state) };

    const now = this.d.clock.now();
    const browserSecret = randomToken(this.d.random, 24);
    const a: Authorization = {
      id: randomUuid(this.d.random),
      clientId: client.client_id,
      browserHash: sha256(browserSecret),
      redirectUri,
      ...params,
      status: 'open',
      version: 1,
      createdAt: now,
      expiresAt: now + visit.AUTHORIZATION_TTL_MS,
      codeHash: null,
      codeExpiresAt: null,
      approval: null,
      grantId: null,
      screenIp: browser.ip,
      screenUserAgent: browser.userAgent.slice(0, 400),
    };

    // prompt=none: only a browser already signed in here (recently enough) gets through without a page.
    if (params.prompt.includes('none')) {
      const signedIn = this.signedInHere(a, browser.principal);
      if (!signedIn) return { kind: 'redirect', location: this.back(redirectUri, { error: 'login_required', error_description: 'the browser is not signed in to scanpass; sign in with prompt other than none' }, state) };
      await this.d.visits.insert(a);
      return { kind: 'redirect', location: await this.issue(a, signedIn) };
    }
    await this.d.visits.insert(a);
    return { kind: 'page', id: a.id, browserSecret };
  }

  async view(id: string, browserSecret: string | undefined, principal: Principal | null): Promise<AuthorizePageView> {
    const a = await this.visitOf(id, browserSecret);
    const client = await this.d.clients.find(a.clientId);
    const me = this.signedInHere(a, principal);
    return {
      client: { client_id: a.clientId, name: client?.name ?? a.clientId },
      scopes: a.scopes,
      login_hint: a.loginHint,
      expires_at: a.expiresAt,
      signed_in_as: me ? { name: String(me.claims.name ?? ''), email: String(me.claims.email ?? '') } : null,
    };
  }

  /** A new QR for the page (the first, or one renewing an expired one): a live login request of the visit. */
  async newQr(id: string, browserSecret: string | undefined, ip: string, userAgent: string) {
    const a = await this.visitOf(id, browserSecret);
    const client = await this.clientOf(a);
    return this.d.login.startForPage({ client, scope: a.scopes.join(' '), ip, userAgent, authorizationId: a.id });
  }

  /** The page saw its QR approved (or denied): where the browser goes now. */
  async finish(id: string, browserSecret: string | undefined, handle: string): Promise<string> {
    const a = await this.visitOf(id, browserSecret);
    const decision = await this.d.login.takeDecision(handle, a.id);
    if (decision.kind === 'denied') return this.cancel(id, browserSecret);
    return this.issue(a, { ...decision.approval, authTime: decision.decidedAt });
  }

  /** A browser signed in to scanpass approves on the spot. */
  async confirmHere(id: string, browserSecret: string | undefined, principal: Principal | null): Promise<string> {
    const a = await this.visitOf(id, browserSecret);
    const me = this.signedInHere(a, principal);
    if (!me) throw new AppError('unauthorized', 'sign in to scanpass in this browser first, or scan the QR with your phone');
    return this.issue(a, me);
  }

  /** The person said no (or their phone did): the application hears access_denied. */
  async cancel(id: string, browserSecret: string | undefined): Promise<string> {
    const a = await this.visitOf(id, browserSecret);
    await this.step(a, (cur) => visit.cancel(cur));
    return this.back(a.redirectUri, { error: 'access_denied', error_description: 'the sign-in was declined' }, a.state);
  }

  /** RFC 6749 4.1.3: the code, once, for the client it was issued to, with its PKCE verifier. */
  async exchange(client: StoredClient, code: string, redirectUri: string | undefined, verifier: string | undefined) {
    const found = await this.d.visits.byCodeHash(sha256(code));
    if (!found) throw new OAuthError('invalid_grant', 'unknown or expired code');
    // The grant's id is written with the redemption, so a replay, however soon, finds what to revoke.
    const grantId = randomUuid(this.d.random);
    let outcome: visit.RedeemOutcome = { kind: 'refused', description: 'the code is not valid' };
    await this.step(found, (cur) => {
      outcome = visit.redeem(cur, { clientId: client.client_id, redirectUri, verifier }, this.d.clock.now());
      return outcome.kind === 'tokens' ? { ...outcome.next, grantId } : null;
    });
    const o = outcome as visit.RedeemOutcome;
    if (o.kind === 'replayed') {
      if (o.grantId) await this.d.grants.revoke(o.grantId, this.d.clock.now());
      throw new OAuthError('invalid_grant', 'this code was already used; what it issued has been revoked');
    }
    if (o.kind === 'refused') throw new OAuthError('invalid_grant', o.description);
    const { tokens } = await this.d.issuer.signIn({
      grantId,
      client,
      subject: o.approval.subject,
      userId: o.approval.approvedBy.startsWith('api_key:') ? null : o.approval.approvedBy,
      scopes: found.scopes,
      claims: o.approval.claims,
      via: 'code',
      authTime: o.approval.authTime,
      nonce: found.nonce,
      screenIp: found.screenIp,
      screenUserAgent: found.screenUserAgent,
    });
    return tokens;
  }

  /** Deletes visits that ended long ago. */
  purge(keepMs = 3600_000): Promise<number> {
    return this.d.visits.purge(this.d.clock.now() - keepMs);
  }

  private async issue(a: Authorization, approval: CodeApproval): Promise<string> {
    const code = randomToken(this.d.random, 32);
    await this.step(a, (cur) => visit.issueCode(cur, approval, sha256(code), this.d.clock.now()));
    return this.back(a.redirectUri, { code }, a.state);
  }

  /** The signed-in browser's own account, when it may approve here: not for prompt=login, and within max_age. */
  private signedInHere(a: Authorization, p: Principal | null): CodeApproval | null {
    if (!p || p.kind !== 'sign_in' || p.user.disabled) return null;
    if (a.prompt.includes('login') || a.prompt.includes('select_account')) return null;
    if (!visit.freshEnough(p.signedInAt, a.maxAge, this.d.clock.now())) return null;
    return { subject: p.user.id, claims: { name: p.user.name, email: p.user.email, email_verified: false }, approvedBy: p.user.id, authTime: p.signedInAt };
  }

  /** The redirect back to the application: its parameters, `state`, and `iss` (RFC 9207). */
  private back(redirectUri: string, params: Record<string, string>, state: string | null): string {
    const url = new URL(redirectUri);
    for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
    if (state !== null) url.searchParams.set('state', state);
    url.searchParams.set('iss', this.o.publicUrl);
    return url.toString();
  }

  private async visitOf(id: string, browserSecret: string | undefined): Promise<Authorization> {
    const a = await this.d.visits.byId(id);
    // The same answer for "no such visit" and "not this browser's": the id alone is not a key.
    if (!a || !browserSecret || !safeEqual(sha256(browserSecret), a.browserHash)) throw new AppError('unknown_authorization', 'this sign-in page is not open in this browser; start again from the application');
    if (a.status !== 'open') throw new AppError('code_used', 'this sign-in has already finished; go back to the application');
    if (this.d.clock.now() >= a.expiresAt) throw new AppError('code_expired', 'this sign-in page has expired; start again from the application');
    return a;
  }

  private async clientOf(a: Authorization): Promise<StoredClient> {
    const client = await this.d.clients.find(a.clientId);
    if (!client) throw new AppError('unknown_client', 'the application has been removed');
    return client;
  }

  /** Read, decide, compare-and-set; a lost race decides again on the winner's row. */
  private async step(first: Authorization, decide: (cur: Authorization) => Authorization | null): Promise<void> {
    let cur: Authorization | undefined = first;
    for (let attempt = 0; attempt < 5 && cur; attempt++) {
      const next = decide(cur);
      if (!next || (await this.d.visits.update(next, cur.version))) return;
      cur = await this.d.visits.byId(first.id);
    }
    throw new AppError('conflict', 'this sign-in is changing too fast; try again');
  }
}
