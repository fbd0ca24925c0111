/**
 * The `device-flood` phase of `npm run bench:login`: screens asking for
 * device codes (`POST /oauth/device_authorization`) as fast as the node
 * answers, for a while, from autocannon. Nobody approves them, so the
 * requests pile up as they do in front of a busy venue's screens. What it
 * shows is whether the rate holds as they accumulate: the rate in the first
 * and in the last slice of the run, and their ratio.
 */
import { runLoad } from '../support/load-generator.js';
import { percentile } from './common.js';

export interface DeviceFlood {
  seconds: number;
  connections: number;
  requests: number;
  failed: number;
  perSecond: number;
  /** ok answers per second in each of `slices` equal slices of the run. */
  perSecondBySlice: number[];
  /** The last slice's rate over the first's: 1 holds steady, below 1 sags. */
  lastOverFirst: number;
  latencyMs: { p50: number; p99: number };
}

export async function deviceFloodMode(url: string, clientId: string, o: { seconds: number; connections: number; slices?: number }): Promise<DeviceFlood> {
  const body = new URLSearchParams({ client_id: clientId, scope: 'openid profile', live: 'true' }).toString();
  const load = (seconds: number) =>
    runLoad({
      url,
      path: '/oauth/device_authorization',
      connections: o.connections,
      seconds,
      contentType: 'application/x-www-form-urlencoded',
      body: () => body,
      isOk: (status, text) => status === 200 && text.includes('"device_code"'),
    });
  // A short warm-up, not counted: the first slice should not be the one where the code is still being optimised.
  await load(3);
  const r = await load(o.seconds);
  const slices = o.slices ?? 8;
  const width = o.seconds / slices;
  const counts = new Array<number>(slices).fill(0);
  for (const t of r.okAtSeconds) counts[Math.min(slices - 1, Math.floor(t / width))]!++;
  const perSecondBySlice = counts.map((c) => Math.round(c / width));
  const sorted = [...r.latenciesMs].sort((a, b) => a - b);
  return {
    seconds: o.seconds,
    connections: o.connections,
    requests: r.requests,
    failed: r.failed,
    perSecond: Math.round(r.okPerSecond),
    perSecondBySlice,
    lastOverFirst: Number((perSecondBySlice.at(-1)! / perSecondBySlice[0]!).toFixed(2)),
    latencyMs: { p50: Number(percentile(sorted, 50).toFixed(2)), p99: Number(percentile(sorted, 99).toFixed(2)) },
  };
}
