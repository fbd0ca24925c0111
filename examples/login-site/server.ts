/**
 * An example website with "sign in with your phone" through scanpass.
 *
 * The browser shows <scanpass-login>; this back end starts each login request,
 * keeps its device_code to itself, and on approval exchanges it for tokens,
 * verifies the id_token and sets the site's own session cookie.
 *
 *   SCANPASS_URL=http://localhost:8080 CLIENT_ID=... npx tsx examples/login-site/server.ts
 */
import { randomBytes } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import cookie from '@fastify/cookie';
import Fastify from 'fastify';
import { createRemoteJWKSet, jwtVerify } from 'jose';

interface ExampleSiteOptions {
  /** scanpass's public URL: the OpenID issuer, and where browsers load the element from. */
  scanpassUrl: string;
  clientId: string;
  /** Only for a confidential client. */
  clientSecret?: string;
  port?: number;
  host?: string;
}

interface User {
  sub: string;
  name: string;
  email: string;
}

/** A login request under way: what the browser must never see, and which browser started it. */
interface Pending {
  deviceCode: string;
  browser: string;
  expiresAt: number;
}

const SESSION = 'site_session';
const BROWSER = 'site_browser';
const COOKIE = { path: '/', httpOnly: true, sameSite: 'lax' } as const; // add `secure: true` behind https

const newId = () => randomBytes(24).toString('base64url');

export async function startExampleSite(o: ExampleSiteOptions): Promise<{ url: string; close(): Promise<void> }> {
  const scanpass = o.scanpassUrl.replace(/\/+$/, '');
  const jwks = createRemoteJWKSet(new URL(`${scanpass}/oauth/jwks`));
  const pending = new Map<string, Pending>(); // handle -> device code (use your database or Redis)
  const sessions = new Map<string, User>(); // session id -> user

  const app = Fastify();
  await app.register(cookie);

  /** Calls a scanpass OAuth endpoint with the client's credentials. */
  async function oauth(path: string, fields: Record<string, string>) {
    const form = new URLSearchParams({ ...fields, client_id: o.clientId, ...(o.clientSecret ? { client_secret: o.clientSecret } : {}) });
    try {
      const res = await fetch(`${scanpass}${path}`, { method: 'POST', body: form });
      return { ok: res.ok, body: (await res.json()) as Record<string, unknown> };
    } catch {
      return { ok: false, body: { error: 'scanpass_unreachable' } };
    }
  }

  app.get('/', async (req, reply) => {
    const user = sessions.get(req.cookies[SESSION] ?? '');
    const zh = /^zh\b/i.test(req.headers['accept-language'] ?? '');
    return reply.type('text/html; charset=utf-8').send(page(scanpass, user, zh));
  });

  // 1. The element asks for a login request: keep the device_code, hand out a handle.
  app.post('/auth/qr/start', async (req, reply) => {
    const now = Date.now();
    for (const [h, p] of pending) if (p.expiresAt < now) pending.delete(h);
    let browser = req.cookies[BROWSER];
    if (!browser) {
      browser = newId();
      reply.setCookie(BROWSER, browser, COOKIE);
    }
    const { ok, body } = await oauth('/oauth/device_authorization', { scope: 'openid profile email', live: 'true' });
    if (!ok) return reply.code(502).send({ error: 'scanpass_refused', detail: body.error });
    const { device_code, ...forBrowser } = body;
    const handle = newId();
    pending.set(handle, { deviceCode: String(device_code), browser, expiresAt: now + Number(body.expires_in) * 1000 });
    return { ...forBrowser, handle };
  });

  // 2. The element says "approved": redeem the device code, check the id_token, start a session.
  app.post<{ Body: { handle?: unknown } }>('/auth/qr/finish', async (req, reply) => {
    const handle = typeof req.body?.handle === 'string' ? req.body.handle : '';
    const p = pending.get(handle);
    // Only the browser that started the request may finish it, and only once.
    if (!p || p.browser !== req.cookies[BROWSER]) return reply.code(400).send({ error: 'unknown_handle' });
    pending.delete(handle);
    const { ok, body } = await oauth('/oauth/token', { grant_type: 'urn:ietf:params:oauth:grant-type:device_code', device_code: p.deviceCode });
    if (!ok || typeof body.id_token !== 'string') return reply.code(400).send({ error: String(body.error ?? 'no_id_token') });
    const payload = await jwtVerify(body.id_token, jwks, { issuer: scanpass, audience: o.clientId }).then((r) => r.payload, () => null);
    if (!payload) return reply.code(400).send({ error: 'invalid_id_token' });
    const user = { sub: String(payload.sub), name: String(payload.name ?? ''), email: String(payload.email ?? '') };
    const sid = newId();
    sessions.set(sid, user);
    reply.setCookie(SESSION, sid, COOKIE);
    return { name: user.name, email: user.email };
  });

  app.post('/auth/logout', async (req, reply) => {
    sessions.delete(req.cookies[SESSION] ?? '');
    return reply.clearCookie(SESSION, { path: '/' }).redirect('/', 303);
  });

  const address = await app.listen({ port: o.port ?? 3000, host: o.host ?? '127.0.0.1' });
  return { url: address, close: () => app.close() };
}

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function page(scanpass: string, user: User | undefined, zh: boolean): string {
  const t = zh
    ? { title: '示例网站', signIn: '登录', signedIn: '已登录：', signOut: '退出登录' }
    : { title: 'Example site', signIn: 'Sign in', signedIn: 'Signed in as', signOut: 'Sign out' };
  const body = user
    ? `<p data-testid="signed-in">${t.signedIn} <b>${esc(user.name)}</b> (${esc(user.email)})</p>
    <form method="post" action="/auth/logout"><button>${t.signOut}</button></form>`
    : `<h2>${t.signIn}</h2>
    <scanpass-login server="${esc(scanpass)}" start="/auth/qr/start"></scanpass-login>
    <script type="module" src="${esc(scanpass)}/sdk/scanpass-login.js"></script>
    <script type="module">
      document.querySelector('scanpass-login').addEventListener('scanpass-approved', async (e) => {
        const res = await fetch('/auth/qr/finish', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ handle: e.detail.handle }),
        });
        if (res.ok) location.reload();
        else e.target.restart();
      });
    </script>`;
  return `<!doctype html>
<html lang="${zh ? 'zh-CN' : 'en'}">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <title>${t.title}</title>
    <style>body { font-family: system-ui, sans-serif; max-width: 40rem; margin: 2rem auto; padding: 0 1rem; }</style>
  </head>
  <body>
    <h1>${t.title}</h1>
    ${body}
  </body>
</html>`;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { SCANPASS_URL, CLIENT_ID, CLIENT_SECRET, PORT } = process.env;
  if (!SCANPASS_URL || !CLIENT_ID) {
    console.error('set SCANPASS_URL and CLIENT_ID (and CLIENT_SECRET for a confidential client)');
    process.exit(1);
  }
  const site = await startExampleSite({ scanpassUrl: SCANPASS_URL, clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, port: PORT ? Number(PORT) : 3000 });
  console.log(`example site on ${site.url}`);
}
