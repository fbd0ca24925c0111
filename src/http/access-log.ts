import type { App } from './types.js';

/**
 * One info line per answered request, when SCANPASS_ACCESS_LOG asks for it:
 * method, the route's pattern, status and time. The pattern, not the URL: a
 * path or query may hold a capability (a pass link's token, a channel token
 * on SSE, an OAuth code), and a log is no place for those. Fastify's own two
 * lines per request are off (app.ts): they logged the raw URL, and on a busy
 * door they cost more than the check-in's SQLite statements.
 */
export function accessLog(app: App): void {
  app.addHook('onResponse', (req, reply, done) => {
    req.log.info({ method: req.method, route: req.routeOptions.url ?? 'unmatched', status: reply.statusCode, ms: Math.round(reply.elapsedTime * 10) / 10 }, 'request');
    done();
  });
}
