import { S256_CHALLENGE } from './authorization.js';

/**
 * The parameters of an authorization request (OpenID Connect Core 3.1.2.1,
 * RFC 6749 4.1.1, RFC 7636 4.3), checked once the client and its
 * redirect_uri are known to be good: from here on a refusal goes back to the
 * application as `error` and `state` on its redirect URI.
 */
export interface AuthorizeParams {
  scopes: string[];
  state: string | null;
  nonce: string | null;
  /** S256 challenge (RFC 7636); null only for a confidential client that sent none. */
  codeChallenge: string | null;
  maxAge: number | null;
  loginHint: string | null;
  prompt: string[];
}

export type AuthorizeRefusal = {
  error: 'invalid_request' | 'unsupported_response_type' | 'invalid_scope' | 'request_not_supported' | 'request_uri_not_supported';
  description: string;
};

/** What the checks need to know of the client. */
export interface AuthorizingClient {
  confidential: boolean;
  scopes: string[];
  grant_types: string[];
}

const LIMITS = { state: 2048, nonce: 512, login_hint: 254, scope: 500, code_challenge: 43 } as const;
const PROMPTS = new Set(['none', 'login', 'consent', 'select_account']);

/**
 * A parameter given twice is refused (RFC 6749 3.1); one that is not a string
 * (a parser's array or object) cannot be anything we asked for.
 */
export function single(query: Record<string, unknown>, name: string): string | undefined | AuthorizeRefusal {
  const v = query[name];
  if (v === undefined) return undefined;
  if (typeof v !== 'string') return { error: 'invalid_request', description: `${name} must be given once` };
  return v;
}

const isRefusal = (v: unknown): v is AuthorizeRefusal => typeof v === 'object' && v !== null && 'error' in v;

export function parseAuthorizeParams(query: Record<string, unknown>, client: AuthorizingClient): AuthorizeParams | AuthorizeRefusal {
  const get = (name: string, max?: number): string | undefined | AuthorizeRefusal => {
    const v = single(query, name);
    if (typeof v === 'string' && max !== undefined && v.length > max) return { error: 'invalid_request', description: `${name} is longer than ${max} characters` };
    return v;
  };
  const fields = {
    response_type: get('response_type', 100),
    response_mode: get('response_mode', 100),
    scope: get('scope', LIMITS.scope),
    state: get('state', LIMITS.state),
    nonce: get('nonce', LIMITS.nonce),
    code_challenge: get('code_challenge', 200),
    code_challenge_method: get('code_challenge_method', 20),
    prompt: get('prompt', 200),
    max_age: get('max_age', 20),
    login_hint: get('login_hint', LIMITS.login_hint),
    request: get('request'),
    request_uri: get('request_uri'),
  };
  for (const v of Object.values(fields)) if (isRefusal(v)) return v;
  const f = fields as Record<keyof typeof fields, string | undefined>;

  if (f.request !== undefined) return { error: 'request_not_supported', description: 'request objects are not supported; send the parameters in the query' };
  if (f.request_uri !== undefined) return { error: 'request_uri_not_supported', description: 'request_uri is not supported; send the parameters in the query' };
  if (f.response_type === undefined) return { error: 'invalid_request', description: 'response_type is required' };
  if (f.response_type !== 'code') return { error: 'unsupported_response_type', description: 'only response_type=code is supported' };
  if (f.response_mode !== undefined && f.response_mode !== 'query') return { error: 'invalid_request', description: 'only response_mode=query is supported' };

  // offline_access is not one of a client's scopes: it comes with the refresh_token grant,
  // and is ignored (OpenID Core 11) for a client without it.
  const requested = f.scope === undefined ? client.scopes : [...new Set(f.scope.split(' ').filter(Boolean))];
  const offline = requested.includes('offline_access');
  const rest = requested.filter((s) => s !== 'offline_access');
  const refused = rest.filter((s) => !client.scopes.includes(s));
  if (refused.length > 0) return { error: 'invalid_scope', description: `scope not allowed for this client: ${refused.join(' ')}` };
  const scopes = offline && client.grant_types.includes('refresh_token') ? [...rest, 'offline_access'] : rest;
  if (scopes.length === 0) return { error: 'invalid_scope', description: 'no scope requested' };

  let codeChallenge: string | null = null;
  if (f.code_challenge !== undefined) {
    if ((f.code_challenge_method ?? 'plain') !== 'S256') return { error: 'invalid_request', description: 'code_challenge_method must be S256 (plain is not accepted)' };
    if (!S256_CHALLENGE.test(f.code_challenge)) return { error: 'invalid_request', description: 'code_challenge must be 43 base64url characters (an S256 hash)' };
    codeChallenge = f.code_challenge;
  } else if (f.code_challenge_method !== undefined) {
    return { error: 'invalid_request', description: 'code_challenge_method without code_challenge' };
  } else if (!client.confidential) {
    return { error: 'invalid_request', description: 'a public client must use PKCE: send code_challenge with code_challenge_method=S256' };
  }

  const prompt = [...new Set((f.prompt ?? '').split(' ').filter(Boolean))].filter((p) => PROMPTS.has(p));
  if (prompt.includes('none') && prompt.length > 1) return { error: 'invalid_request', description: 'prompt=none cannot be combined with other values' };

  let maxAge: number | null = null;
  if (f.max_age !== undefined) {
    if (!/^\d{1,9}$/.test(f.max_age)) return { error: 'invalid_request', description: 'max_age must be a whole number of seconds' };
    maxAge = Number(f.max_age);
  }

  return {
    scopes,
    // An empty state or nonce is none: there is nothing to echo or to bind.
    state: f.state || null,
    nonce: f.nonce || null,
    codeChallenge,
    maxAge,
    loginHint: f.login_hint?.trim() || null,
    prompt,
  };
}

export function isAuthorizeRefusal(v: AuthorizeParams | AuthorizeRefusal): v is AuthorizeRefusal {
  return isRefusal(v);
}
