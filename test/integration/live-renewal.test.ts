/**
 * The SDK's `renew`: when a followed channel's token expires, it fetches a
 * fresh one from the API (which checks the right again) and goes on from the
 * last version, over every transport. When the right is gone the renewal
 * fails and the subscription ends: the token lifetime bounds how long a node
 * that never heard of a revocation serves it.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createLiveClient, type LiveErrorInfo, type LiveState, type TransportKind } from '../../client/index.js';
import { as, bearer, signInByInject, type Session } from '../support/api-suite.js';
import { ADMIN, startTestNode } from '../support/test-node.js';
import { until } from '../support/until.js';

type Node = Awaited<ReturnType<typeof startTestNode>>;
const MIN = 60_000;

let node: Node;
let admin: Session;
let eventId: string;
let sessionId: string;
const cleanup: Array<() => unknown> = [];

beforeAll(async () => {
  // Tokens live 2 s, so a test sees several expiries.
  node = await startTestNode({ liveTokenTtlSeconds: 2 });
  admin = await signInByInject(node, ADMIN.email, ADMIN.password);
  const now = Date.now();
  eventId = (await node.app.inject({ method: 'POST', url: '/api/v1/events', ...as(admin), payload: { name: 'Renewals', starts_at: now - MIN, ends_at: now + 60 * MIN } })).json().id;
  sessionId = (await node.app.inject({ method: 'POST', url: `/api/v1/events/${eventId}/sessions`, ...as(admin), payload: { name: 'Door', starts_at: now - MIN, ends_at: now + 60 * MIN } })).json().id;
});
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f();
});
afterAll(async () => {
  await node?.close();
});

async function device(name: string): Promise<{ id: string; token: string }> {
  return (await node.app.inject({ method: 'POST', url: `/api/v1/events/${eventId}/devices`, ...as(admin), payload: { name } })).json();
}

/** The scanner page's grant: the session's counts with a channel token, as the device. */
async function counts(deviceToken: string): Promise<{ version: number; live: { channel: string; token: string } } | null> {
  const res = await node.app.inject({ method: 'GET', url: `/api/v1/sessions/${sessionId}/counts`, ...bearer(deviceToken) });
  return res.statusCode === 200 ? res.json() : null;
}

async function newcomer(name: string): Promise<void> {
  const a = (await node.app.inject({ method: 'POST', url: `/api/v1/events/${eventId}/attendees`, ...as(admin), payload: { name, session_ids: [sessionId] } })).json();
  const res = await node.app.inject({ method: 'POST', url: '/api/v1/checkins/manual', ...as(admin), payload: { attendee_id: a.id, session_id: sessionId, nonce: randomBytes(12).toString('base64url') } });
  expect(res.statusCode, res.body).toBe(200);
}

function follow(transport: TransportKind, deviceToken: string, first: { version: number; live: { channel: string; token: string } }) {
  const client = createLiveClient({ url: node.url, WebSocket, transports: [transport], backoff: { baseMs: 50, capMs: 500 }, pollWaitSeconds: 1 });
  cleanup.push(() => client.close());
  const states: LiveState[] = [];
  const errors: LiveErrorInfo[] = [];
  let renewals = 0;
  const sub = client.subscribe(first.live.channel, first.live.token, (s) => states.push(s), {
    after: first.version,
    onError: (e) => errors.push(e),
    renew: async () => {
      renewals++;
      return (await counts(deviceToken))?.live.token ?? null;
    },
  });
  return { sub, states, errors, renewals: () => renewals, mentions: (text: string) => states.some((s) => JSON.stringify(s.data).includes(text)) };
}

describe.each(['websocket', 'sse', 'poll'] as const)('SDK renewal over %s', (transport) => {
  it('renews an expiring token and keeps receiving, from the last version', async () => {
    const d = await device(`renew-${transport}`);
    const f = follow(transport, d.token, (await counts(d.token))!);
    await until(() => f.renewals() >= 2, 'two renewals', 15_000);
    await newcomer(`Renewed ${transport}`);
    await until(() => f.mentions(`Renewed ${transport}`), 'the newcomer after renewals');
    expect(f.errors).toEqual([]);
    expect(f.sub.status).not.toBe('closed');
    const versions = f.states.map((s) => s.version);
    expect(versions).toEqual([...new Set(versions)].sort((a, b) => a - b));
  });
});

describe('SDK renewal when the right is gone', () => {
  it('ends with access_revoked, without renewing, when the device is revoked', async () => {
    const d = await device('revoked-while-watching');
    const f = follow('websocket', d.token, (await counts(d.token))!);
    await until(() => f.sub.status === 'open', 'open');
    const before = f.renewals();
    await node.app.inject({ method: 'DELETE', url: `/api/v1/devices/${d.id}`, ...as(admin) });
    const error = await until(() => f.errors[0], 'the terminal error');
    expect(error).toMatchObject({ code: 'access_revoked', terminal: true });
    expect(f.sub.status).toBe('closed');
    expect(f.renewals()).toBe(before);
  });

  it('fails the renewal at expiry when this node never heard of the revocation', async () => {
    const d = await device('missed-revocation');
    const f = follow('websocket', d.token, (await counts(d.token))!);
    await until(() => f.sub.status === 'open', 'open');
    // Revoked in the store behind the node's back, as if the bus had lost the message.
    await node.services.store.db.updateTable('scanner_devices').set({ revoked_at: Date.now() }).where('id', '=', d.id).execute();
    const error = await until(() => f.errors[0], 'the subscription to end at expiry', 15_000);
    expect(error).toMatchObject({ code: 'token_expired', terminal: true });
    expect(f.sub.status).toBe('closed');
    await newcomer('Unseen Una');
    expect(f.mentions('Unseen Una')).toBe(false);
  });
});
