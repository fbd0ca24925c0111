import type { JWTPayload } from 'jose';
import { sha256, safeEqual } from '../../auth/secrets.js';
import type { Clock } from '../../domain/clock.js';
import { AppError } from '../../domain/errors.js';
import { ANONYMOUS } from '../../domain/live-grant.js';
import * as machine from '../../domain/login-request.js';
import type { Approval, LoginRequest } from '../../domain/login-request.js';
import { randomInt, randomToken, randomUuid, type Random } from '../../domain/random.js';
import { formatUserCode, generateUserCode, normaliseUserCode } from '../../domain/user-code.js';
import { describeUserAgent } from '../../domain/user-agent.js';
import type { GeoLocator, LocationLocale } from '../../http/client-location.js';
import type { LiveService } from '../../live/live-service.js';
import { expireEach, liveVersionedTransition, type VersionedTransition } from '../../live/versioned-transition.js';
import type { AuditLog } from '../../store/audit-log.js';
import type { ClientsRepo, StoredClient } from '../../store/clients.js';
import type { LoginRequestsRepo, StoredLoginRequest } from '../../store/login-requests.js';
import type { OAuthGrantsRepo } from '../../store/oauth-grants.js';
import type { UsersRepo } from '../../store/users.js';
import { requireMayDecide, type Claimant } from './login-access.js';
import type { PhoneView } from './login-schemas.js';
import { OAuthError } from './oauth-error.js';
import { RESERVED_CLAIMS, type TokenIssuer } from './token-issuer.js';
import type { TokenSigner } from './token-signer.js';

export interface LoginFlowOptions {
  ttlSeconds: number;
  intervalSeconds: number;
  publicUrl: string;
}

export interface LoginServiceDeps {
  requests: LoginRequestsRepo;
  /** Whether the account behind a token or an approval is still enabled. */
  users: Pick<UsersRepo, 'findById'>;
  clients: ClientsRepo;
  /** Where a screen's address roughly is, for the phone. */
  geo: GeoLocator;
  signer: TokenSigner;
  issuer: TokenIssuer;
  /** Whether the sign-in (`sid`) behind an access token is still on. */
  grants: Pick<OAuthGrantsRepo, 'isActive'>;
  live: LiveService;
  audit: AuditLog;
  clock: Clock;
  random: Random;
}

const loginChannel = (id: string) => `login:${id}`;

/** What the screen's channel carries: the status as the event type, the screen's view as data. */
const screenSnapshot = (r: LoginRequest) => ({ version: r.version, type: r.status, data: machine.screenView(r) });

/** What the phone decided about an /oauth/authorize page's QR. */
type Decision = { kind: 'approved'; approval: Approval; decidedAt: number } | { kind: 'denied' };

export class LoginService {
  /** Compare-and-set transitions of one request, published to its `login:` channel. */
  private readonly transition: VersionedTransition<StoredLoginRequest, LoginRequest>;

  constructor(
    private readonly d: LoginServiceDeps,
    private readonly o: LoginFlowOptions,
  ) {
    this.transition = liveVersionedTransition('login', {
      rows: d.requests,
      live: d.live,
      channel: loginChannel,
      snapshot: screenSnapshot,
      missing: () => new AppError('unknown_code', 'this login request no longer exists'),
      contended: () => new AppError('conflict', 'this request is changing too fast; try again'),
    });    // Who is asking is the screen that shows the QR: the browser on the request's channel.
    d.live.registry.onWatch('login', (id, who) => d.requests.noteWatcher(id, who.ip, who.userAgent.slice(0, 400)));
  }

  /** Client authentication (RFC 6749 2.3): public clients send only client_id; confidential ones their secret too. */
  async authenticateClient(clientId: string | undefined, secret: string | undefined): Promise<StoredClient> {
    if (!clientId) throw new OAuthError('invalid_client', 'client_id is required');
    const client = await this.d.clients.find(clientId);
    if (!client) throw new OAuthError('invalid_client', 'unknown client');
    if (client.secretHash !== null && (secret === undefined || !safeEqual(sha256(secret), client.secretHash))) {
      throw new OAuthError('invalid_client', 'client authentication failed');
    }
    return client;
  }

  /** RFC 8628 section 3.1-3.2, plus the live channel the screen may watch instead of polling. */
  async authorize(input: { client: StoredClient; scope?: string | undefined; live: boolean; ip: string; userAgent: string }) {
    return (await this.start(input)).response;
  }

  /** A live QR for an /oauth/authorize page: the device code stays here; `handle` names the request to the page. */
  async startForPage(input: { client: StoredClient; scope: string; ip: string; userAgent: string; authorizationId: string }) {
    const { id, response } = await this.start({ ...input, live: true });
    const { device_code: _kept, ...start } = response;
    return { handle: id, ...start };
  }

  private async start(input: { client: StoredClient; scope?: string | undefined; live: boolean; ip: string; userAgent: string; authorizationId?: string }) {
    // offline_access (a refresh token) comes with the client's refresh_token grant.
    const allowed = input.client.grant_types.includes('refresh_token') ? [...input.client.scopes, 'offline_access'] : input.client.scopes;
    const requested = input.scope === undefined ? allowed : input.scope.split(' ').filter(Boolean);
    const refused = requested.filter((s) => !allowed.includes(s));
    if (refused.length > 0) throw new OAuthError('invalid_scope', `scope not allowed for this client: ${refused.join(' ')}`);

    const now = this.d.clock.now();
    const deviceCode = randomToken(this.d.random, 32);
    for (let attempt = 0; attempt < 5; attempt++) {
      const request: StoredLoginRequest = {
        id: randomUuid(this.d.random),
        clientId: input.client.client_id,
        scopes: [...new Set(requested)],
        status: 'pending',
        version: 1,
        createdAt: now,
        expiresAt: now + this.o.ttlSeconds * 1000,
        interval: this.o.intervalSeconds,
        lastPollAt: null,
        claimedBy: null,
        claimedAt: null,
        liveScreen: input.live,
        matchNumber: null,
        matchChoices: null,
        approval: null,
        decidedAt: null,
        denyReason: null,
        userCode: generateUserCode(this.d.random),
        screenIp: input.ip,
        screenUserAgent: input.userAgent.slice(0, 400),
        authorizationId: input.authorizationId ?? null,
      };
      if (!(await this.d.requests.insert(request, sha256(deviceCode)))) continue; // user code collision: draw again
      const userCode = formatUserCode(request.userCode);
      const verificationUri = `${this.o.publicUrl}/device`;
      const response = {
        device_code: deviceCode,
        user_code: userCode,
        verification_uri: verificationUri,
        verification_uri_complete: `${verificationUri}?user_code=${userCode}`,
        expires_in: this.o.ttlSeconds,
        interval: this.o.intervalSeconds,
        // Extension: watch this instead of polling; ask the token endpoint once it says approved.
        // The screen's capability: it depends on no revocable right, and ends with the request.
        live: this.d.live.grant(loginChannel(request.id), ANONYMOUS, this.o.ttlSeconds + 60),
      };
      return { id: request.id, response };
    }
    throw new AppError('unavailable', 'could not allocate a user code; try again');
  }

  /** RFC 8628 section 3.4-3.5: one poll of the token endpoint. */
  async token(client: StoredClient, deviceCode: string) {
    const found = await this.d.requests.byDeviceCodeHash(sha256(deviceCode));
    if (!found) throw new OAuthError('invalid_grant', 'unknown device_code');
    const outcome = await this.transition(found, (r) => {
      const o = machine.poll(r, client.client_id, this.d.clock.now());
      return { next: o.next, result: o };
    });
    const o = outcome.result;
    if (o.kind === 'error') {
      const extra = o.error === 'slow_down' && o.next ? { interval: o.next.interval } : {};
      throw new OAuthError(o.error, describePollError(o.error), extra);
    }
    return this.issueTokens(client, outcome.row, o.approval);
  }

  /** The phone opens a request by its user code: the first claimant wins, and is shown who is asking. */
  async open(userCodeInput: string, claimant: Claimant, locale: LocationLocale = 'en') {
    const r = await this.byUserCode(userCodeInput);
    await requireMayDecide(this.d.clients, r, claimant);
    const { row: request } = await this.transition(r, (cur) => ({
      next: machine.claim(cur, claimant.key, this.d.clock.now(), () => machine.pickMatchNumbers((n) => randomInt(this.d.random, n))),
      result: null,
    }));
    return this.phoneView(request, locale);
  }

  async approve(userCodeInput: string, claimant: Claimant, match: number | undefined, approval: Approval, locale: LocationLocale = 'en') {
    const r = await this.byUserCode(userCodeInput);
    await requireMayDecide(this.d.clients, r, claimant);
    const { row: request } = await this.transition(r, (cur) => ({ next: machine.approve(cur, claimant.key, match, approval, this.d.clock.now()), result: null }));
    await this.audit(request, claimant, request.status === 'approved' ? 'ok' : 'refused', 'login_approve', { reason: request.denyReason });
    if (request.status === 'denied') throw new AppError('match_mismatch', 'that is not the number on the screen; the request was cancelled for safety');
    return this.phoneView(request, locale);
  }

  async deny(userCodeInput: string, claimant: Claimant, locale: LocationLocale = 'en') {
    const r = await this.byUserCode(userCodeInput);
    await requireMayDecide(this.d.clients, r, claimant);
    const { row: request } = await this.transition(r, (cur) => ({ next: machine.deny(cur, claimant.key, this.d.clock.now()), result: null }));
    await this.audit(request, claimant, 'ok', 'login_deny', {});
    return this.phoneView(request, locale);
  }

  /** Filters an application's claims for the id_token: no registered claims, only plain values. */
  static cleanClaims(claims: Record<string, unknown> | undefined): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(claims ?? {})) {
      if (RESERVED_CLAIMS.has(k)) continue;
      if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') out[k] = v;
    }
    return out;
  }

  /** Marks undecided requests past their time as expired, so their screens are told at once. */
  async expireDue(limit = 500): Promise<number> {
    const due = await this.d.requests.dueForExpiry(this.d.clock.now(), limit);
    return expireEach(this.transition, due, (cur) => machine.expire(cur, this.d.clock.now()));
  }

  /** The payload of an unexpired access token this server signed (UserInfo); throws for any other token. */
  /**
   * A valid access token whose subject is not a disabled account. (An API key
   * approves for its application's own users, whose ids are not accounts
   * here: only a subject that names an account is looked at.)
   */
  async verifyAccessToken(token: string): Promise<JWTPayload> {
    const payload = await this.d.signer.verify(token, 'at+jwt', this.d.clock.now());
    if (typeof payload.sub === 'string' && (await this.d.users.findById(payload.sub))?.disabled) throw new OAuthError('invalid_token', 'the account of this token is disabled');
    // Signed out from the phone, or a replayed code or refresh token revoked it.
    if (typeof payload.sid === 'string' && !(await this.d.grants.isActive(payload.sid))) throw new OAuthError('invalid_token', 'this sign-in has been ended');
    return payload;
  }

  /** Deletes requests that ended more than `keepMs` ago. */
  purge(keepMs = 3600_000): Promise<number> {
    return this.d.requests.purge(this.d.clock.now() - keepMs);
  }

  /**
   * What a request's QR holds. Built from the code alone, without looking it
   * up: the caller already has the code, and an answer that differed for
   * codes that exist would let anyone test guesses outside the limits that
   * guard the phone API.
   */
  qrTarget(userCodeInput: string): string {
    const code = normaliseUserCode(userCodeInput);
    if (!code) throw new AppError('invalid_request', 'user_code must be 8 letters of the user-code alphabet, as XXXX-XXXX');
    return `${this.o.publicUrl}/device?user_code=${formatUserCode(code)}`;
  }

  private async byUserCode(input: string): Promise<StoredLoginRequest> {
    const code = normaliseUserCode(input);
    const r = code ? await this.d.requests.byUserCode(code) : undefined;
    if (!r) throw new AppError('unknown_code', 'no login request has this code; check it against the screen');
    return r;
  }

  private async issueTokens(client: StoredClient, r: StoredLoginRequest, approval: Approval) {
    // Approved, then the approving account was disabled before the screen asked: nothing is issued.
    const approver = approval.approvedBy.startsWith('api_key:') ? undefined : await this.d.users.findById(approval.approvedBy);
    if (approver?.disabled) throw new OAuthError('access_denied', 'the account that approved this request has been disabled');
    const { tokens } = await this.d.issuer.signIn({
      client,
      subject: approval.subject,
      userId: approver ? approver.id : null,
      scopes: r.scopes,
      claims: approval.claims,
      via: 'device',
      authTime: r.decidedAt ?? this.d.clock.now(),
      nonce: null,
      screenIp: r.screenIp,
      screenUserAgent: r.screenUserAgent,
    });
    return tokens;
  }

  /**
   * The QR of an /oauth/authorize page was decided: an approval is taken
   * (the request is redeemed, so it yields one code) and handed to the
   * caller; a denial is reported; anything else is not decided yet.
   */
  async takeDecision(handle: string, authorizationId: string): Promise<Decision> {
    const r = await this.d.requests.byId(handle);
    if (!r || r.authorizationId !== authorizationId) throw new AppError('unknown_code', 'this QR does not belong to this sign-in page');
    const { result } = await this.transition<Decision>(r, (cur) => {
      if (cur.status === 'denied') return { next: null, result: { kind: 'denied' } };
      if (cur.status !== 'approved' || this.d.clock.now() >= Math.max(cur.expiresAt, (cur.decidedAt ?? 0) + machine.REDEEM_GRACE_MS)) {
        throw new AppError('not_approved', cur.status === 'redeemed' ? 'this approval has already been used' : 'the phone has not approved this sign-in yet');
      }
      return { next: { ...cur, status: 'redeemed', version: cur.version + 1 }, result: { kind: 'approved', approval: cur.approval!, decidedAt: cur.decidedAt! } };
    });
    return result;
  }

  /** What the phone shows: which application, which screen, since when; never the device code. */
  private async phoneView(r: StoredLoginRequest, locale: LocationLocale): Promise<PhoneView> {
    const client = await this.d.clients.find(r.clientId);
    return {
      user_code: formatUserCode(r.userCode),
      status: r.status,
      client: { client_id: r.clientId, name: client?.name ?? r.clientId },
      scopes: r.scopes,
      screen: { ip: r.screenIp, user_agent: r.screenUserAgent, browser: describeUserAgent(r.screenUserAgent), place: this.d.geo.describe(r.screenIp, locale) },
      created_at: r.createdAt,
      expires_at: r.expiresAt,
      match_required: r.matchNumber !== null,
      match_choices: r.status === 'scanned' ? r.matchChoices : null,
    };
  }

  private async audit(r: StoredLoginRequest, c: Claimant, outcome: 'ok' | 'refused', action: string, detail: Record<string, unknown>) {
    await this.d.audit.record({ at: this.d.clock.now(), actorId: c.userId, action, subject: loginChannel(r.id), outcome, detail: { client_id: r.clientId, via: c.apiKeyOwner ? 'api_key' : 'session', ...detail } });
  }
}

function describePollError(e: string): string {
  switch (e) {
    case 'authorization_pending': return 'the user has not decided yet';
    case 'slow_down': return 'polling too fast; wait the given interval between requests';
    case 'access_denied': return 'the user denied the request';
    case 'expired_token': return 'the device_code has expired; start again';
    default: return 'the device_code is invalid, already used, or belongs to another client';
  }
}
