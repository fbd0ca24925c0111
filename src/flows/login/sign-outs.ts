import { decodeJwt } from 'jose';
import type { Clock } from '../../domain/clock.js';
import { AppError } from '../../domain/errors.js';
import { describeUserAgent } from '../../domain/user-agent.js';
import type { GeoLocator, LocationLocale } from '../../http/client-location.js';
import type { ClientsRepo, StoredClient } from '../../store/clients.js';
import type { OAuthGrant, OAuthGrantsRepo } from '../../store/oauth-grants.js';
import type { TokenSigner } from './token-signer.js';

/** OpenID Connect Back-Channel Logout 1.0, section 2.4. */
const BACKCHANNEL_EVENT = 'http://schemas.openid.net/event/backchannel-logout';
/** How long an application has to answer a back-channel logout. */
const BACKCHANNEL_TIMEOUT_MS = 5000;

/** One signed-in screen or app, as the phone's account page lists it. */
export interface SignedInApp {
  id: string;
  client: { client_id: string; name: string };
  via: OAuthGrant['via'];
  browser: string;
  place: string | null;
  signed_in_at: number;
  last_used_at: number;
}

export type BackchannelOutcome = 'delivered' | 'failed' | 'not_registered';

/** What RP-initiated logout (OpenID Connect RP-Initiated Logout 1.0) decided. */
export type EndSessionOutcome = { kind: 'redirect'; location: string } | { kind: 'page'; signedOut: boolean } | { kind: 'refused'; description: string };

/**
 * Ending sign-ins: the phone's list of screens and apps it signed in, each
 * of which it can sign out (refresh tokens revoked, access tokens refused at
 * UserInfo, the application told over its back channel), and the
 * application's own logout through the end-session endpoint.
 */
export class SignOuts {
  constructor(
    private readonly d: { grants: OAuthGrantsRepo; clients: ClientsRepo; signer: TokenSigner; geo: GeoLocator; clock: Clock },
  ) {}

  async list(userId: string, locale: LocationLocale): Promise<SignedInApp[]> {
    const grants = await this.d.grants.activeForUser(userId);
    const names = new Map<string, string>();
    for (const id of new Set(grants.map((g) => g.clientId))) names.set(id, (await this.d.clients.find(id))?.name ?? id);
    return grants.map((g) => ({
      id: g.id,
      client: { client_id: g.clientId, name: names.get(g.clientId)! },
      via: g.via,
      browser: describeUserAgent(g.screenUserAgent),
      place: this.d.geo.describe(g.screenIp, locale),
      signed_in_at: g.createdAt,
      last_used_at: g.lastUsedAt,
    }));
  }

  /** The phone signs one of its sign-ins out; the application hears it over its back channel when it registered one. */
  async signOut(userId: string, grantId: string): Promise<{ backchannel: BackchannelOutcome }> {
    const grant = await this.d.grants.byId(grantId);
    // Someone else's sign-in is as unknown as one that does not exist.
    if (!grant || grant.userId !== userId || grant.revokedAt !== null) throw new AppError('unknown_grant', 'no such signed-in screen or app on this account');
    await this.d.grants.revoke(grant.id, this.d.clock.now());
    const client = await this.d.clients.find(grant.clientId);
    return { backchannel: client ? await this.tellApplication(client, grant) : 'not_registered' };
  }

  /** OpenID Connect RP-Initiated Logout 1.0, section 2-3. */
  async endSession(p: { idTokenHint?: string | undefined; clientId?: string | undefined; postLogoutRedirectUri?: string | undefined; state?: string | undefined }): Promise<EndSessionOutcome> {
    let hinted: { aud: string; sid: string | null } | null = null;
    if (p.idTokenHint) {
      hinted = await this.readHint(p.idTokenHint);
      if (!hinted) return { kind: 'refused', description: 'id_token_hint is not an id_token this server issued' };
      if (p.clientId && p.clientId !== hinted.aud) return { kind: 'refused', description: 'client_id does not match the id_token_hint' };
    }
    const clientId = hinted?.aud ?? p.clientId;
    const client = clientId ? await this.d.clients.find(clientId) : undefined;
    if (p.postLogoutRedirectUri !== undefined) {
      if (!client) return { kind: 'refused', description: 'post_logout_redirect_uri needs id_token_hint or client_id to know the application' };
      if (!client.post_logout_redirect_uris.includes(p.postLogoutRedirectUri)) return { kind: 'refused', description: 'post_logout_redirect_uri is not one the application registered' };
    }
    let signedOut = false;
    if (hinted?.sid) {
      const grant = await this.d.grants.byId(hinted.sid);
      if (grant && grant.clientId === hinted.aud) signedOut = (await this.d.grants.revoke(grant.id, this.d.clock.now())) || grant.revokedAt !== null;
    }
    if (p.postLogoutRedirectUri !== undefined) {
      const url = new URL(p.postLogoutRedirectUri);
      if (p.state) url.searchParams.set('state', p.state);
      return { kind: 'redirect', location: url.toString() };
    }
    return { kind: 'page', signedOut };
  }

  /** An id_token of ours, expired or not (section 2: an expired one is still a good hint). */
  private async readHint(token: string): Promise<{ aud: string; sid: string | null } | null> {
    try {
      const { iat } = decodeJwt(token);
      if (typeof iat !== 'number') return null;
      const payload = await this.d.signer.verify(token, 'JWT', iat * 1000);
      const aud = Array.isArray(payload.aud) ? payload.aud[0] : payload.aud;
      if (typeof aud !== 'string') return null;
      return { aud, sid: typeof payload.sid === 'string' ? payload.sid : null };
    } catch {
      return null;
    }
  }

  /** Back-Channel Logout 1.0, section 2.5: a signed logout token, POSTed form-encoded. */
  private async tellApplication(client: StoredClient, grant: OAuthGrant): Promise<BackchannelOutcome> {
    if (!client.backchannel_logout_uri) return 'not_registered';
    const now = this.d.clock.now();
    const logoutToken = await this.d.signer.sign({ sub: grant.subject, sid: grant.id, events: { [BACKCHANNEL_EVENT]: {} } }, client.client_id, 120, now, 'logout+jwt');
    try {
      const res = await fetch(client.backchannel_logout_uri, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ logout_token: logoutToken }).toString(),
        redirect: 'manual',
        signal: AbortSignal.timeout(BACKCHANNEL_TIMEOUT_MS),
      });
      await res.body?.cancel();
      return res.ok ? 'delivered' : 'failed';
    } catch {
      return 'failed';
    }
  }
}
