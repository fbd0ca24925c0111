import { DEVICE_CODE_GRANT, GRANT_TYPES } from '../../domain/client.js';
import { AppError } from '../../domain/errors.js';
import { uriProblem, type UriUse } from '../../domain/redirect-uri.js';

/** At most this many redirect URIs, and as many post-logout ones, per application. */
export const MAX_CLIENT_URIS = 10;

/** An application's addresses and grants, as the service receives them (undefined: not given). */
export interface UriSettingsInput {
  redirectUris?: unknown;
  postLogoutRedirectUris?: unknown;
  grantTypes?: unknown;
  backchannelLogoutUri?: unknown;
}

export interface UriSettings {
  redirect_uris: string[];
  post_logout_redirect_uris: string[];
  grant_types: string[];
  backchannel_logout_uri: string | null;
}

/**
 * The CLI and the console reach the service without the API's schema, so the
 * types are checked here again: a caller's object where a string belongs is
 * its mistake (400), not a crash.
 */
function uriList(field: string, value: unknown, use: UriUse): string[] {
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) throw new AppError('invalid_request', `${field} must be an array of strings`, { field });
  const uris = [...new Set(value as string[])];
  if (uris.length > MAX_CLIENT_URIS) throw new AppError('invalid_request', `${field} may hold at most ${MAX_CLIENT_URIS} URIs`, { field });
  for (const uri of uris) checkUri(field, uri, use);
  return uris;
}

function checkUri(field: string, uri: string, use: UriUse): void {
  const problem = uriProblem(uri, use);
  // The URI is quoted shortened: a 2000-character one would drown the message.
  const shown = uri.length > 120 ? `${uri.slice(0, 117)}...` : uri;
  if (problem) throw new AppError('invalid_redirect_uri', `${field}: ${JSON.stringify(shown)} ${problem}`, { field, uri: shown });
}

function grantList(value: unknown): string[] {
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) throw new AppError('invalid_request', 'grant_types must be an array of strings', { field: 'grant_types' });
  const unknown = (value as string[]).filter((g) => !(GRANT_TYPES as readonly string[]).includes(g));
  if (unknown.length) throw new AppError('invalid_request', `grant_types: unsupported ${unknown.map((g) => JSON.stringify(g)).join(', ')}; supported: ${GRANT_TYPES.join(' ')}`, { field: 'grant_types' });
  if (value.length === 0) throw new AppError('invalid_request', 'grant_types may not be empty', { field: 'grant_types' });
  // Kept in GRANT_TYPES' order, so a list reads the same however it was given.
  return GRANT_TYPES.filter((g) => value.includes(g));
}

function backchannelUri(value: unknown): string | null {
  if (value === null) return null;
  if (typeof value !== 'string') throw new AppError('invalid_request', 'backchannel_logout_uri must be a string or null', { field: 'backchannel_logout_uri' });
  checkUri('backchannel_logout_uri', value, 'backchannel_logout');
  return value;
}

/**
 * The settings after `input` is applied to `current` (a new application:
 * none), checked. Without grant types a new application gets the device
 * grant, plus the authorization code and refresh grants when it has a
 * redirect URI; the code grant needs one (OpenID Core 3.1.2.1).
 */
export function checkedUriSettings(input: UriSettingsInput, current?: UriSettings): UriSettings {
  const redirect_uris = input.redirectUris !== undefined ? uriList('redirect_uris', input.redirectUris, 'redirect') : (current?.redirect_uris ?? []);
  const post_logout_redirect_uris = input.postLogoutRedirectUris !== undefined ? uriList('post_logout_redirect_uris', input.postLogoutRedirectUris, 'post_logout_redirect') : (current?.post_logout_redirect_uris ?? []);
  const backchannel_logout_uri = input.backchannelLogoutUri !== undefined ? backchannelUri(input.backchannelLogoutUri) : (current?.backchannel_logout_uri ?? null);
  const grant_types =
    input.grantTypes !== undefined
      ? grantList(input.grantTypes)
      : (current?.grant_types ?? (redirect_uris.length ? [...GRANT_TYPES] : [DEVICE_CODE_GRANT]));
  if (grant_types.includes('authorization_code') && redirect_uris.length === 0) {
    throw new AppError('invalid_request', 'redirect_uris: the authorization_code grant needs at least one redirect URI', { field: 'redirect_uris' });
  }
  return { redirect_uris, post_logout_redirect_uris, grant_types, backchannel_logout_uri };
}
