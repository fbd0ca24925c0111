import type { App } from './types.js';

/**
 * Open CORS for the endpoints a screen on another origin calls without
 * cookies: OAuth (public clients in web pages), discovery and live channels
 * (a channel token is the capability). Cookie-authenticated APIs stay
 * same-origin.
 */
const OPEN_PREFIXES = ['/oauth/', '/.well-known/', '/v1/live'];

export function openCors(app: App): void {
  app.addHook('onRequest', async (req, reply) => {
    if (!OPEN_PREFIXES.some((p) => req.url.startsWith(p))) return;
    reply.header('access-control-allow-origin', '*');
    if (req.method === 'OPTIONS') {
      reply
        .header('access-control-allow-methods', 'GET, POST, OPTIONS')
        .header('access-control-allow-headers', 'authorization, content-type, last-event-id')
        .header('access-control-max-age', '600')
        .code(204)
        .send();
    }
  });
}
