import type { App } from './types.js';

/**
 * Headers every answer carries, and the Content-Security-Policy of our pages.
 *
 * - `X-Content-Type-Options: nosniff` everywhere; `Referrer-Policy: same-origin`
 *   unless a route chose its own (the pass link answers `no-referrer`).
 * - Any HTML answer may not be framed (`frame-ancestors 'none'` and, for older
 *   browsers, `X-Frame-Options: DENY`): nothing of ours is meant to be embedded;
 *   other sites use the `<scanpass-login>` element, a script, not a frame.
 * - `Cache-Control: no-store` on every /api/, /oauth/ and /v1/live answer whose
 *   route did not say otherwise: they carry per-user data, CSRF tokens, codes
 *   and tokens (`/api/v1/me`, `/api/v1/session`, `/api/v1/login-requests/*`, ...).
 *   Routes that may be cached (discovery, JWKS) set their own.
 */

const NO_STORE_PREFIXES = ['/api/', '/oauth/', '/v1/live'];

/**
 * The policy of the pages in web/ as `vite build` makes them: module scripts
 * and stylesheets from our own origin only, no inline script or style; the
 * zxing QR reader compiles its .wasm (`'wasm-unsafe-eval'`, not `'unsafe-eval'`);
 * images are ours (icons, the share QR as SVG) or `data:`; fetches and the
 * live WebSocket go to our own origin (`ws:`/`wss:` spelled out for browsers
 * whose `'self'` does not cover them).
 */
export function pageContentSecurityPolicy(publicUrl: string): string {
  const origin = new URL(publicUrl);
  const ws = `${origin.protocol === 'https:' ? 'wss:' : 'ws:'}//${origin.host}`;
  return [
    "default-src 'self'",
    "script-src 'self' 'wasm-unsafe-eval'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    `connect-src 'self' ${ws}`,
    "media-src 'self'",
    "worker-src 'self'",
    "manifest-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-src 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/** For HTML we did not build (the API documentation's own page): it may not be framed, nothing more. */
const OTHER_HTML_CSP = "frame-ancestors 'none'";

export function securityHeaders(app: App): void {
  app.addHook('onSend', async (req, reply, payload) => {
    reply.header('x-content-type-options', 'nosniff');
    if (!reply.hasHeader('referrer-policy')) reply.header('referrer-policy', 'same-origin');
    const type = String(reply.getHeader('content-type') ?? '');
    if (type.startsWith('text/html')) {
      reply.header('x-frame-options', 'DENY');
      if (!reply.hasHeader('content-security-policy')) reply.header('content-security-policy', OTHER_HTML_CSP);
    }
    if (!reply.hasHeader('cache-control') && NO_STORE_PREFIXES.some((p) => req.url.startsWith(p))) reply.header('cache-control', 'no-store');
    return payload;
  });
}
