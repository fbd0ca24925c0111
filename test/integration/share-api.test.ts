import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createLiveClient, type LiveState } from '../../client/index.js';
import { available, TEST_DATABASE_URL } from '../support/env.js';
import { createTestDatabase } from '../support/postgres.js';
import { createUsers, type TestUser } from '../support/share-users.js';
import { startTestNode } from '../support/test-node.js';
import { until } from '../support/until.js';

type Node = Awaited<ReturnType<typeof startTestNode>>;
interface Live {
  channel: string;
  token: string;
}

let node: Node;
let a: TestUser;
let b: TestUser;
let c: TestUser;
let crowd: TestUser[];

const dialects = [
  { name: 'sqlite', database: async () => ({ url: undefined as string | undefined, drop: async () => {} }) },
  ...(available('postgres', !!TEST_DATABASE_URL) ? [{ name: 'postgres', database: () => createTestDatabase(TEST_DATABASE_URL!) }] : []),
];

const FIELDS = { name: 'Alice Chen', email: 'alice@example.com', phone: '+86 138 0000 0000' };

async function share(body: unknown = { title: 'My card', fields: FIELDS }) {
  const res = await a.call('POST', '/api/v1/shares', body);
  expect(res.status).toBe(201);
  return res.body as { id: string; code: string; url: string; expires_at: number; status: string; live: Live };
}

const claim = (who: TestUser, code: string) => who.call('POST', '/api/v1/shares/claim', { code });

async function poll(live: Live, after = 0, wait = 0) {
  const q = new URLSearchParams({ channel: live.channel, token: live.token, after: String(after), wait: String(wait) });
  const res = await fetch(`${node.url}/v1/live/poll?${q}`);
  return { status: res.status, body: res.status === 200 ? ((await res.json()) as LiveState<Record<string, unknown>>) : null };
}

describe.each(dialects)('share API on $name', ({ database }) => {
  let drop = async () => {};
  beforeAll(async () => {
    const db = await database();
    drop = db.drop;
    node = await startTestNode({ userCodeAttemptsPerMinute: 1000, ...(db.url ? { databaseUrl: db.url } : {}) });
    const users = await createUsers(node.url, ['Alice Chen', 'Bob Li', 'Carol Wu', ...Array.from({ length: 8 }, (_, i) => `Crowd ${i}`)]);
    [a, b, c] = [users[0]!, users[1]!, users[2]!];
    crowd = users.slice(3);
  });
  afterAll(async () => {
    await node?.close();
    await drop();
  });

  it('runs the whole consent flow, pushing each version in order to both sides', async () => {
    const s = await share();
    expect(s.code).toMatch(/^[BCDFGHJKLMNPQRSTVWXZ]{4}-[BCDFGHJKLMNPQRSTVWXZ]{4}$/);
    expect(s.url).toBe(`${node.url}/share/receive?code=${s.code}`);
    expect(s).toMatchObject({ status: 'open', role: 'owner', offer: FIELDS, fields: null, requester: null, live: { channel: `share:${s.id}` } });
    expect(s.expires_at - Date.now()).toBeGreaterThan(290_000);

    const client = createLiveClient({ url: node.url, WebSocket, backoff: { baseMs: 50, capMs: 500 } });
    const seen: LiveState<Record<string, unknown>>[] = [];
    const sub = client.subscribe<Record<string, unknown>>(s.live.channel, s.live.token, (st) => seen.push(st));
    try {
      await until(() => seen.length >= 1, 'snapshot', 5000);

      const claimed = await claim(b, s.code.toLowerCase().replace('-', ' '));
      expect(claimed.status).toBe(200);
      expect(claimed.body).toMatchObject({ id: s.id, role: 'requester', status: 'requested', title: 'My card', owner: { name: 'Alice Chen' }, fields: null });
      expect(JSON.stringify(claimed.body)).not.toContain('alice@example.com');
      const bLive = claimed.body.live as Live;
      expect(bLive.channel).toBe(s.live.channel);

      // A is told at once who is asking; nobody sees the payload yet.
      await until(() => seen.some((x) => x.type === 'requested'), 'requested on A', 5000);
      const requested = seen.find((x) => x.type === 'requested')!;
      expect(requested.data).toMatchObject({ requester: { name: 'Bob Li', email: b.email }, fields: null });
      expect((await b.call('GET', `/api/v1/shares/${s.id}`)).body).toMatchObject({ status: 'requested', fields: null });
      const beforeApproval = await poll(bLive);
      expect(beforeApproval.body).toMatchObject({ version: 2, type: 'requested', data: { fields: null } });

      // B's long-poll is answered by the approval (the SDK's fallback for clients without WebSockets).
      const waiting = poll(bLive, 2, 10);
      const approved = await a.call('POST', `/api/v1/shares/${s.id}/approve`);
      expect(approved.status).toBe(200);
      expect(approved.body).toMatchObject({ status: 'approved', fields: FIELDS });
      expect((await waiting).body).toMatchObject({ version: 3, type: 'approved', data: { status: 'approved', fields: FIELDS } });
      expect((await b.call('GET', `/api/v1/shares/${s.id}`)).body).toMatchObject({ role: 'requester', status: 'approved', fields: FIELDS });
      // Opening it again is harmless and shows the outcome.
      expect((await claim(b, s.code)).body).toMatchObject({ status: 'approved', fields: FIELDS });

      await until(() => seen.some((x) => x.type === 'approved'), 'approved on A', 5000);
      expect(seen.map((x) => x.version)).toEqual([1, 2, 3]);
      expect(seen.map((x) => x.type)).toEqual(['open', 'requested', 'approved']);
    } finally {
      sub.unsubscribe();
      client.close();
    }

    const audit = await node.services.audit.recent(20, `share:${s.id}`);
    expect(audit).toEqual([expect.objectContaining({ action: 'share_approve', outcome: 'ok', actorId: a.id, detail: expect.objectContaining({ requester_id: b.id }) })]);
  });

  it('gives a code to exactly one of ten people scanning at once', async () => {
    const s = await share();
    const results = await Promise.all([b, c, ...crowd].map((u) => claim(u, s.code)));
    const winners = results.filter((r) => r.status === 200);
    expect(winners).toHaveLength(1);
    expect(results.filter((r) => r.status === 409).map((r) => r.body.error)).toEqual(Array(9).fill('claimed_elsewhere'));
    const snap = await poll(s.live);
    expect(snap.body).toMatchObject({ version: 2, type: 'requested' });
  });

  it('refuses unknown codes, own shares, a second claimant and decisions by anyone but A', async () => {
    expect((await claim(b, 'BBBB-BBBB')).body.error).toBe('unknown_code');
    expect((await claim(b, 'not a code')).status).toBe(404);
    const s = await share();
    expect((await claim(a, s.code)).body.error).toBe('forbidden');
    expect((await a.call('POST', `/api/v1/shares/${s.id}/approve`)).body.error).toBe('not_claimed');
    expect((await claim(b, s.code)).status).toBe(200);
    expect((await claim(c, s.code)).body.error).toBe('claimed_elsewhere');
    for (const who of [b, c]) {
      for (const path of [`/api/v1/shares/${s.id}/approve`, `/api/v1/shares/${s.id}/deny`]) {
        const r = await who.call('POST', path);
        expect([r.status, r.body.error]).toEqual([403, 'forbidden']);
      }
      expect((await who.call('DELETE', `/api/v1/shares/${s.id}`)).body.error).toBe('forbidden');
    }
    expect((await c.call('GET', `/api/v1/shares/${s.id}`)).body.error).toBe('forbidden');
    expect((await b.call('GET', `/api/v1/shares/${s.id}/qr.svg`)).status).toBe(403);
    const qr = await a.call('GET', `/api/v1/shares/${s.id}/qr.svg`);
    expect([qr.status, qr.headers.get('content-type')]).toEqual([200, 'image/svg+xml']);

    const denied = await a.call('POST', `/api/v1/shares/${s.id}/deny`);
    expect(denied.body).toMatchObject({ status: 'denied', fields: null, offer: null });
    expect((await b.call('GET', `/api/v1/shares/${s.id}`)).body).toMatchObject({ status: 'denied', fields: null });
    // Used: no second decision, no new claimant, no revoke.
    expect((await a.call('POST', `/api/v1/shares/${s.id}/approve`)).body.error).toBe('code_used');
    expect((await claim(c, s.code)).body.error).toBe('code_used');
    expect((await a.call('DELETE', `/api/v1/shares/${s.id}`)).body.error).toBe('code_used');
    const actions = (await node.services.audit.recent(50, `share:${s.id}`)).map((e) => `${e.action}:${e.outcome}`);
    expect(actions).toContain('share_deny:ok');
    expect(actions).toContain('share_approve:refused');
  });

  it('lets A revoke before use, after which the code is refused as revoked', async () => {
    const open = await share();
    const revoked = await a.call('DELETE', `/api/v1/shares/${open.id}`);
    expect(revoked.body).toMatchObject({ status: 'revoked', offer: null });
    expect((await a.call('DELETE', `/api/v1/shares/${open.id}`)).status).toBe(200);
    const refused = await claim(b, open.code);
    expect([refused.status, refused.body.error]).toEqual([410, 'share_revoked']);

    const asked = await share();
    const claimed = await claim(b, asked.code);
    await a.call('DELETE', `/api/v1/shares/${asked.id}`);
    expect((await poll(claimed.body.live as Live, 2)).body).toMatchObject({ version: 3, type: 'revoked', data: { fields: null } });
    expect((await a.call('POST', `/api/v1/shares/${asked.id}/approve`)).body.error).toBe('share_revoked');
  });

  it('expires a share on time and tells both sides', async () => {
    const s = await share();
    await claim(b, s.code);
    await node.services.store.db.updateTable('share_requests').set({ expires_at: Date.now() - 1 }).where('id', '=', s.id).execute();
    const r = await poll(s.live, 2, 5); // the 1 s sweep publishes it
    expect(r.body).toMatchObject({ version: 3, type: 'expired', data: { status: 'expired', fields: null } });
    expect((await claim(c, s.code)).body.error).toBe('code_expired');
    expect((await a.call('POST', `/api/v1/shares/${s.id}/approve`)).status).toBe(410);
  });

  it('validates what is shared and who asks', async () => {
    for (const body of [{ fields: {} }, { fields: { name: '   ' } }, { fields: { password: 'x' } }, { fields: { note: 'x'.repeat(1001) } }, { title: 'x'.repeat(121), fields: FIELDS }, {}]) {
      const r = await a.call('POST', '/api/v1/shares', body);
      expect([r.status, r.body.error]).toEqual([400, 'invalid_request']);
    }
    const anon = await fetch(`${node.url}/api/v1/shares`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ fields: FIELDS }) });
    expect(anon.status).toBe(401);
    expect((await fetch(`${node.url}/api/v1/shares/nope`)).status).toBe(401);
    expect((await a.call('GET', '/api/v1/shares/00000000-0000-0000-0000-000000000000')).body.error).toBe('not_found');
    const doc = (await (await fetch(`${node.url}/docs/json`)).json()) as { paths: Record<string, unknown> };
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/api/v1/shares', '/api/v1/shares/claim', '/api/v1/shares/{id}', '/api/v1/shares/{id}/approve']));
  });
});

describe('share claims', () => {
  it('are rate-limited per address', async () => {
    const limited = await startTestNode({ userCodeAttemptsPerMinute: 3 });
    try {
      const [guesser] = await createUsers(limited.url, ['Guesser'], 'rl');
      const codes = [];
      for (let i = 0; i < 4; i++) codes.push((await guesser!.call('POST', '/api/v1/shares/claim', { code: 'BBBB-BBBB' })).body.error);
      expect(codes).toEqual(['unknown_code', 'unknown_code', 'unknown_code', 'rate_limited']);
    } finally {
      await limited.close();
    }
  });
});
