/**
 * Which addresses an application may register for the browser to be sent
 * back to (redirect URIs, post-logout redirect URIs) or for a back-channel
 * logout token to be POSTed to, and how a requested redirect URI is matched
 * against them. Pure: the service checks, the authorization endpoint matches.
 */

export type UriUse = 'redirect' | 'post_logout_redirect' | 'backchannel_logout';

export const MAX_URI_LENGTH = 2000;

/** RFC 8252 7.3: the loopback interface, written literally (no `0x7f.1`, no `LOCALHOST`). */
const LOOPBACK_HTTP = /^http:\/\/(127\.0\.0\.1|\[::1\]|localhost)(?::(\d{1,5}))?(?=[/?]|$)(.*)$/;

/** Never a place to send a browser with a code in hand, whatever the app says. */
const DANGEROUS_SCHEMES = new Set(['javascript', 'data', 'file', 'vbscript', 'blob', 'about', 'filesystem', 'view-source', 'ws', 'wss', 'ftp', 'mailto', 'tel', 'sms', 'chrome', 'intent']);

/** RFC 8252 7.1: a private-use scheme is a reversed domain name the app controls, e.g. `com.example.app`. */
const REVERSE_DOMAIN_SCHEME = /^[a-z][a-z0-9-]*(\.[a-z0-9-]+)+$/;

/**
 * Why `uri` cannot be registered for `use`, in words for the caller, or null
 * when it can. Exact comparison later means the string itself is what is
 * checked: printable ASCII only, no fragment, no user:pass@.
 */
export function uriProblem(uri: string, use: UriUse = 'redirect'): string | null {
  if (uri.length === 0) return 'is empty';
  if (uri.length > MAX_URI_LENGTH) return `is longer than ${MAX_URI_LENGTH} characters`;
  const named = /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(uri)?.[1]?.toLowerCase();
  if (named !== undefined && DANGEROUS_SCHEMES.has(named)) return `uses the scheme ${named}:, which is not allowed`;
  // Spaces, controls and non-ASCII are silently changed by URL parsers, so the exact match would differ from what a browser sends.
  if (!/^[\x21-\x7e]+$/.test(uri)) return 'has spaces, control or non-ASCII characters (percent-encode them)';
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    return 'is not an absolute URL';
  }
  if (uri.includes('#')) return 'has a fragment (#)';
  if (url.username || url.password || /^[^:]+:\/\/[^/?]*@/.test(uri)) return 'has a user name or password (user:pass@)';
  const scheme = url.protocol.slice(0, -1);
  if (scheme === 'https') return null;
  if (scheme === 'http') {
    if (LOOPBACK_HTTP.test(uri)) return null;
    return 'uses http: on a host other than the loopback 127.0.0.1, [::1] or localhost (use https:)';
  }
  if (use === 'backchannel_logout') return 'must use https: (or http: on the loopback 127.0.0.1, [::1] or localhost)';
  if (!REVERSE_DOMAIN_SCHEME.test(scheme)) return `uses the scheme ${scheme}:; an app's own scheme is a reversed domain name with a dot, e.g. com.example.app:/callback`;
  return null;
}

/** True when `uri` may be registered for `use`. */
export const isValidUri = (uri: string, use: UriUse = 'redirect'): boolean => uriProblem(uri, use) === null;

/** A loopback http URI with its port taken out, or null for any other URI. */
function withoutLoopbackPort(uri: string): string | null {
  const m = LOOPBACK_HTTP.exec(uri);
  if (!m) return null;
  if (m[2] !== undefined && Number(m[2]) > 65535) return null;
  return `http://${m[1]}${m[3]}`;
}

/**
 * Whether `given` (a request's redirect_uri) is one of `registered`: exact
 * string comparison (OpenID Core 3.1.2.1), except that a loopback http
 * redirect URI matches on any port, since a native app's port is picked when
 * it starts (RFC 8252 7.3).
 */
export function redirectUriMatches(registered: readonly string[], given: string): boolean {
  if (registered.includes(given)) return true;
  const loose = withoutLoopbackPort(given);
  if (loose === null) return false;
  return registered.some((r) => withoutLoopbackPort(r) === loose);
}
