/**
 * Scopes an API key may carry beyond acting as its owner. An unscoped key
 * keeps its owner's role everywhere, but decides no one's QR login: approving
 * for an application's users (a `subject` of its choosing) needs a key scoped
 * to that application, so a key leaked from one integration cannot sign
 * anyone into another.
 */
const LOGIN_APPROVE_PREFIX = 'login:approve:';

/** `login:approve:<client_id>`, client ids as `CLIENT_ID_PATTERN` allows them. */
export const API_KEY_SCOPE_PATTERN = '^login:approve:[A-Za-z0-9._-]{3,64}$';

const loginApproveScope = (clientId: string): string => `${LOGIN_APPROVE_PREFIX}${clientId}`;

export const mayApproveFor = (scopes: readonly string[], clientId: string): boolean => scopes.includes(loginApproveScope(clientId));
