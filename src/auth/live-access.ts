import { apiKeyGrant, sessionGrant, userGrant, type LiveAccess } from '../domain/live-grant.js';
import type { Principal } from './auth-service.js';

/**
 * The rights a signed-in caller's channel tokens are minted under: the
 * credential (this sign-in, or this API key) and the account (whose staff
 * assignments a revocation can name). A sign-in's token ends with the sign-in.
 */
export function liveAccessOf(p: Principal): LiveAccess {
  return p.kind === 'session'
    ? { grants: [sessionGrant(p.sessionHash), userGrant(p.user.id)], notAfter: p.expiresAt }
    : { grants: [apiKeyGrant(p.keyId), userGrant(p.user.id)] };
}
