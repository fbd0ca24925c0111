import client from 'prom-client';
import type { WriterHolds } from '../store/sqlite-checkpointer.js';
import type { WriterWork } from '../store/units-of-work.js';
import type { App } from './types.js';

interface LiveStatsSource {
  stats(): { channels: number; subscriptions: number; websockets: number; sse: number; polls: number };
}

/** Prometheus metrics at /metrics, in a registry of this app's own (tests run several apps in one process). */
export function metricsRoutes(app: App, live: LiveStatsSource, store: { writerHolds?: WriterHolds | undefined; writerWork?: WriterWork | undefined }): client.Registry {
  const registry = new client.Registry();
  client.collectDefaultMetrics({ register: registry });
  const duration = new client.Histogram({
    name: 'scanpass_http_request_duration_seconds',
    help: 'HTTP request duration by route and status',
    labelNames: ['method', 'route', 'status'],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  });
  const gauge = (name: string, help: string, read: () => number) =>
    new client.Gauge({ name, help, registers: [registry], collect() { this.set(read()); } });
  gauge('scanpass_live_channels', 'Channels this node serves', () => live.stats().channels);
  gauge('scanpass_live_subscriptions', 'Channel subscriptions on this node', () => live.stats().subscriptions);
  gauge('scanpass_live_websockets', 'Open WebSockets', () => live.stats().websockets);
  gauge('scanpass_live_sse_streams', 'Open SSE streams', () => live.stats().sse);
  gauge('scanpass_live_polls_waiting', 'Long-polls being held', () => live.stats().polls);
  // Totals the store keeps; each scrape reports them as they are now.
  const total = (name: string, help: string, read: () => number) =>
    new client.Counter({ name, help, registers: [registry], collect() { this.reset(); this.inc(read()); } });
  const holds = store.writerHolds;
  if (holds) {
    total('scanpass_sqlite_writer_holds_total', 'Times the SQLite writer was held so its WAL could start over (commits wait meanwhile)', () => holds.count);
    total('scanpass_sqlite_writer_held_seconds_total', 'Time the SQLite writer was held so its WAL could start over', () => holds.seconds);
  }
  const work = store.writerWork;
  if (work) {
    total('scanpass_sqlite_writer_units_total', 'Units of work the SQLite writer ran (each scan is one)', () => work.units);
    total('scanpass_sqlite_writer_busy_seconds_total', 'Event-loop time in calls into SQLite for units of work: statements run through the hot path (unit.run) and every BEGIN, SAVEPOINT, RELEASE, COMMIT and rollback', () => work.seconds);
  }

  app.addHook('onResponse', async (req, reply) => {
    const route = req.routeOptions.url ?? 'unmatched';
    duration.observe({ method: req.method, route, status: reply.statusCode }, reply.elapsedTime / 1000);
  });
  app.get('/metrics', { schema: { hide: true } }, async (_req, reply) => {
    reply.type(registry.contentType);
    return registry.metrics();
  });
  return registry;
}
