import { sql } from 'kysely';
import type { Services } from '../services.js';
import type { App } from './types.js';

export function healthRoutes(app: App, s: Services): void {
  app.get('/healthz', { schema: { tags: ['ops'], summary: 'The process is up' } }, async () => ({ status: 'ok' }));

  app.get('/readyz', { schema: { tags: ['ops'], summary: 'The node can serve: store reachable, bus connected' } }, async (_req, reply) => {
    const checks: Record<string, string> = {};
    try {
      await sql`select 1`.execute(s.store.db);
      checks.store = 'ok';
    } catch (err) {
      checks.store = (err as Error).message;
    }
    checks.bus = s.live.bus.healthy() ? 'ok' : 'reconnecting';
    if (s.shuttingDown()) checks.node = 'shutting down';
    const ok = Object.values(checks).every((v) => v === 'ok');
    return reply.code(ok ? 200 : 503).send({ status: ok ? 'ok' : 'unavailable', checks, store: s.store.dialect, bus: s.live.bus.name });
  });
}
