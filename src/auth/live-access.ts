import { apiKeyGrant, signInGrant, userGrant, type LiveAccess } from '../domain/live-grant.js';
import type { Principal } from './auth-service.js';

/**
 * The rights a signed-in caller's channel tokens are minted under: the
 * credential (this sign-in, or this API key) and the account (whose staff
 * assignments a revocation can name). A sign-in's token ends with the sign-in.
 */
export function liveAccessOf(p: Principal): LiveAccess {
  return p.kind === 'sign_in'
    ? { grants: [signInGrant(p.signInHash), userGrant(p.user.id)], notAfter: p.expiresAt }
    : { grants: [apiKeyGrant(p.keyId), userGrant(p.user.id)] };
}
