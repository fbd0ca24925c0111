import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { NotFoundPage } from './not-found.js';
import { pageContentSecurityPolicy } from './security-headers.js';
import type { App } from './types.js';

// This code runs from dist/server/*.js (the bundle) or src/http/*.ts (tests): either way two folders
// below the checkout, whose dist/web `vite build` writes.
export const WEB_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../dist/web');

/** The pages and the built file each one serves. */
export const PAGES: Record<string, string> = {
  '/': 'index.html',
  '/signin': 'signin.html',
  '/signout': 'signout.html',
  '/admin': 'admin.html',
  '/share': 'share.html',
  '/share/receive': 'share-receive.html',
  '/device': 'device.html',
  '/authorize': 'authorize.html',
  '/account': 'account.html',
  '/scan-test': 'scan-test.html',
  '/pass': 'pass.html',
  '/scanner': 'scanner.html',
  '/dashboard': 'dashboard.html',
  '/queue': 'queue.html',
  '/queue-board': 'queue-board.html',
  '/queue-counter': 'queue-counter.html',
};

/** The page an unknown URL shows a person (status 404, see not-found.ts); built like the others but no route of its own. */
export const NOT_FOUND_PAGE = 'not-found.html';

/** The service workers (web/*-sw.js, copied unhashed by vite.config.ts): the ticket page's Web Push worker. */
export const SERVICE_WORKERS = ['queue-sw.js'];

/**
 * `publicUrl`: the origin the pages' live WebSocket connects to (named in their Content-Security-Policy).
 * Returns the sender of the not-found page, when it was built.
 */
export async function webPages(app: App, publicUrl: string): Promise<NotFoundPage | undefined> {
  if (!fs.existsSync(WEB_ROOT)) {
    app.log.warn({ root: WEB_ROOT }, 'web pages are not built; run `npm run build`');
    return undefined;
  }
  await app.register(fastifyStatic, { root: WEB_ROOT, prefix: '/assets-root/', serve: false });
  const csp = pageContentSecurityPolicy(publicUrl);
  for (const [url, file] of Object.entries(PAGES)) {
    app.get(url, { schema: { hide: true } }, (_req, reply) => reply.header('cache-control', 'no-cache').header('content-security-policy', csp).sendFile(file));
  }
  await app.register(fastifyStatic, { root: path.join(WEB_ROOT, 'assets'), prefix: '/assets/', decorateReply: false, immutable: true, maxAge: '365d' });
  // Service workers: unhashed, revalidated on every update check, at the root so a page may register them for its own path (/queue).
  for (const file of SERVICE_WORKERS) {
    app.get(`/${file}`, { schema: { hide: true } }, (_req, reply) => reply.header('cache-control', 'no-cache').sendFile(file, { cacheControl: false }));
  }
  // The <scanpass-login> element and the SDK for other sites: stable URLs, loadable cross-origin as modules.
  for (const file of ['scanpass-login.js', 'scanpass.js']) {
    app.get(`/sdk/${file}`, { schema: { hide: true } }, (_req, reply) =>
      reply.header('access-control-allow-origin', '*').header('cache-control', 'public, max-age=300').sendFile(`sdk/${file}`),
    );
  }
  // Read and sent as is, not through sendFile: its conditional and range handling would turn the 404 into a 304, 412 or 206.
  const notFoundFile = path.join(WEB_ROOT, NOT_FOUND_PAGE);
  if (!fs.existsSync(notFoundFile)) return undefined;
  return async (reply) => {
    const html = await fs.promises.readFile(notFoundFile); // each time, like the pages: a rebuild renames the assets it names
    return reply.code(404).type('text/html; charset=utf-8').header('cache-control', 'no-cache').header('content-security-policy', csp).send(html);
  };
}
