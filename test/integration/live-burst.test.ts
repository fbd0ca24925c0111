/**
 * A burst of new sockets, each subscribing to many channels at once, against
 * a node in its own process at the default per-address limits: every handshake
 * succeeds, every socket gets every snapshot, and a state change made during
 * the burst still reaches the client that was already there. (How long it
 * takes is for `npm run bench:live`, phase sp-burst; no timing here.)
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { bumpCounter, createCounter } from '../support/counter-channel.js';
import { available, TEST_DATABASE_URL } from '../support/env.js';
import { createTestDatabase } from '../support/postgres.js';
import { spawnNode, type NodeProcess } from '../support/processes.js';
import { openRawSocket } from '../support/raw-socket.js';
import { until } from '../support/until.js';

const SOCKETS = 300;
const CHANNELS_PER_SOCKET = 20;
/** Fewer counters than subscriptions: some channels are opened by the burst, others joined. */
const COUNTERS = 150;

const open: WebSocket[] = [];

interface BurstSocket {
  ws: WebSocket;
  /** Channels whose snapshot arrived. */
  snapshots: Set<string>;
  errors: unknown[];
}

/** Opens a socket and, as soon as it is open, sends all its sub frames at once. */
function burstSocket(url: string, subs: { channel: string; token: string }[]): Promise<BurstSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${url.replace(/^http/, 'ws')}/v1/live`);
    open.push(ws);
    const s: BurstSocket = { ws, snapshots: new Set(), errors: [] };
    ws.on('open', () => {
      for (const sub of subs) ws.send(JSON.stringify({ op: 'sub', ...sub }));
      resolve(s);
    });
    ws.on('message', (data) => {
      const f = JSON.parse(data.toString()) as { op?: string; channel?: string };
      if (f.op === 'error') s.errors.push(f);
      else if (f.channel) s.snapshots.add(f.channel);
    });
    ws.on('unexpected-response', (_req, res) => reject(new Error(`handshake answered ${res.statusCode}`)));
    ws.on('error', reject);
  });
}

const targets = [
  { name: 'sqlite', enabled: true },
  { name: 'postgres', enabled: available('postgres', !!TEST_DATABASE_URL) },
] as const;

for (const target of targets) {
  describe.skipIf(!target.enabled)(`a burst of new sockets on ${target.name}`, () => {
    let node: NodeProcess;
    let drop: (() => Promise<void>) | undefined;

    beforeAll(async () => {
      // The product's defaults for the per-address bounds (500 sockets, 600 upgrades a minute): a
      // burst this size from one address is within them.
      const env: Record<string, string> = { SCANPASS_LIVE_MAX_SOCKETS_PER_ADDRESS: '500', SCANPASS_LIVE_UPGRADES_PER_MINUTE: '600' };
      if (target.name === 'postgres') {
        const db = await createTestDatabase(TEST_DATABASE_URL!);
        drop = db.drop;
        env.SCANPASS_DATABASE_URL = db.url;
      }
      node = await spawnNode(env);
    }, 60_000);
    afterAll(async () => {
      for (const ws of open.splice(0)) ws.terminate();
      await node?.stop();
      await drop?.().catch(() => {});
    });

    it(`admits ${SOCKETS} sockets subscribing to ${CHANNELS_PER_SOCKET} channels each, delivers every snapshot, and keeps delivering to others meanwhile`, async () => {
      const counters = await Promise.all(Array.from({ length: COUNTERS }, (_, i) => createCounter(node.url, `burst${i}`)));
      const witness = await createCounter(node.url, 'witness');
      const watcher = await openRawSocket(node.url);
      open.push(watcher.ws);
      watcher.send({ op: 'sub', channel: witness.channel, token: witness.token });
      await until(() => watcher.frames.find((f) => f.version === 1), 'the witness snapshot', 10_000);

      const plan = Array.from({ length: SOCKETS }, (_, k) =>
        Array.from({ length: CHANNELS_PER_SOCKET }, (_, j) => counters[(k * 7 + j) % COUNTERS]!).map((c) => ({ channel: c.channel, token: c.token })),
      );
      const burst = Promise.allSettled(plan.map((subs) => burstSocket(node.url, subs)));
      // A state change while the burst is under way, made and delivered as usual.
      const bumped = await bumpCounter(node.url, witness.id);
      expect(bumped).toBe(2);

      const results = await burst;
      const failed = results.filter((r) => r.status === 'rejected');
      expect(failed.map((r) => String((r as PromiseRejectedResult).reason))).toEqual([]);
      const sockets = results.map((r) => (r as PromiseFulfilledResult<BurstSocket>).value);
      await until(() => sockets.every((s) => s.snapshots.size === CHANNELS_PER_SOCKET), 'every snapshot on every socket', 60_000);
      expect(sockets.flatMap((s) => s.errors)).toEqual([]);
      await until(() => watcher.frames.find((f) => f.channel === witness.channel && f.version === 2), 'the witness change', 10_000);
      expect(node.child.exitCode).toBeNull();
    }, 120_000);
  });
}
