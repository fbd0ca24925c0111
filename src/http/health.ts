import { Type } from '@fastify/type-provider-typebox';
import { sql } from 'kysely';
import type { Services } from '../services.js';
import { isStoreOutage } from '../store/store-outage.js';
import type { App } from './types.js';

/** The readiness answer, 200 or 503 alike: not an error body, so a 503 here says why in `checks`. */
const Readiness = Type.Object({
  status: Type.Enum(['ok', 'degraded', 'unavailable']),
  checks: Type.Record(Type.String(), Type.String(), { description: '`store`, `bus` and, while stopping, `node`' }),
  store: Type.String(),
  bus: Type.String(),
});

export function healthRoutes(app: App, s: Services): void {
  app.get('/healthz', { schema: { tags: ['ops'], summary: 'The process is up', response: { 200: Type.Object({ status: Type.Literal('ok') }) } } }, async () => ({ status: 'ok' as const }));

  app.get(
    '/readyz',
    {
      schema: {
        tags: ['ops'],
        summary: 'The node can serve: store reachable, not shutting down',
        description:
          'Answers 503 while the database is unreachable or the node shuts down. The bus (Redis) is reported in `checks.bus` (`ok` or `down`) ' +
          'without failing readiness: without it a node still serves, its live events reach only its own subscribers, and every node catches up when it is back. ' +
          '`status` is `ok`, `degraded` (ready, bus down) or `unavailable`.',
        response: { 200: Readiness, 503: Readiness },
      },
    },
    async (_req, reply) => {
      const checks: Record<string, string> = {};
      try {
        await sql`select 1`.execute(s.store.db);
        checks.store = 'ok';
      } catch (err) {
        checks.store = isStoreOutage(err) ? `unavailable: ${(err.cause as Error | undefined)?.message ?? 'no answer'}` : (err as Error).message;
      }
      checks.bus = s.live.bus.healthy() ? 'ok' : 'down';
      if (s.shuttingDown()) checks.node = 'shutting down';
      const ready = checks.store === 'ok' && !s.shuttingDown();
      const status = !ready ? 'unavailable' : checks.bus === 'ok' ? 'ok' : 'degraded';
      return reply.code(ready ? 200 : 503).send({ status, checks, store: s.store.dialect, bus: s.live.bus.name });
    },
  );
}
