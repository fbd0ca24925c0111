import type client from 'prom-client';
import type { App } from './types.js';

interface LiveStatsSource {
  stats(): { channels: number; subscriptions: number; websockets: number; sse: number; polls: number };
}

/**
 * How many request timings wait for prom-client before it is loaded anyway.
 * prom-client (and the collectors it starts) loads with the first scrape of
 * /metrics; a node nobody scrapes loads it after this many requests, so the
 * timings kept meanwhile stay small.
 */
const PENDING_MAX = 1000;

type Observation = [method: string, route: string, status: number, seconds: number];

/**
 * Prometheus metrics at /metrics, in a registry of this app's own (tests run
 * several apps in one process). Every request is timed from the first; the
 * default Node.js collectors (event-loop lag, GC) count from when prom-client
 * loads. Reading the process's CPU, memory and handles is the same either way.
 */
export function metricsRoutes(app: App, live: LiveStatsSource): void {
  let pending: Observation[] = [];
  let loading: Promise<client.Registry> | undefined;
  let duration: client.Histogram | undefined;

  const load = (): Promise<client.Registry> =>
    (loading ??= import('prom-client').then(({ default: prom }) => {
      const registry = new prom.Registry();
      prom.collectDefaultMetrics({ register: registry });
      const histogram = new prom.Histogram({
        name: 'scanpass_http_request_duration_seconds',
        help: 'HTTP request duration by route and status',
        labelNames: ['method', 'route', 'status'],
        buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
        registers: [registry],
      });
      const gauge = (name: string, help: string, read: () => number) =>
        new prom.Gauge({ name, help, registers: [registry], collect() { this.set(read()); } });
      gauge('scanpass_live_channels', 'Channels this node serves', () => live.stats().channels);
      gauge('scanpass_live_subscriptions', 'Channel subscriptions on this node', () => live.stats().subscriptions);
      gauge('scanpass_live_websockets', 'Open WebSockets', () => live.stats().websockets);
      gauge('scanpass_live_sse_streams', 'Open SSE streams', () => live.stats().sse);
      gauge('scanpass_live_polls_waiting', 'Long-polls being held', () => live.stats().polls);
      for (const [method, route, status, seconds] of pending) histogram.observe({ method, route, status }, seconds);
      pending = [];
      duration = histogram;
      return registry;
    }));

  app.addHook('onResponse', async (req, reply) => {
    const route = req.routeOptions.url ?? 'unmatched';
    if (duration) return void duration.observe({ method: req.method, route, status: reply.statusCode }, reply.elapsedTime / 1000);
    // Bounded even if prom-client could not be loaded.
    if (pending.length < 2 * PENDING_MAX) pending.push([req.method, route, reply.statusCode, reply.elapsedTime / 1000]);
    if (pending.length >= PENDING_MAX) load().catch((err: unknown) => req.log.error({ err }, 'prom-client could not be loaded'));
  });
  app.get('/metrics', { schema: { hide: true } }, async (_req, reply) => {
    const registry = await load();
    reply.type(registry.contentType);
    return registry.metrics();
  });
}
