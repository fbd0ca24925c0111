import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { as, dialects, signInByInject, type Session } from '../support/api-suite.js';
import { ADMIN, startTestNode } from '../support/test-node.js';

type Node = Awaited<ReturnType<typeof startTestNode>>;

/**
 * Undoing a check-in that is already undone is refused (409) and changes
 * nothing: it used to bump the attendee's pass version in a transaction that
 * still committed, so the phone was pushed a "new" pass (found by test/fuzz).
 */
describe.each(dialects)('a refused undo on $name', ({ database }) => {
  let node: Node;
  let admin: Session;
  let drop: () => Promise<void>;
  beforeAll(async () => {
    const db = await database();
    drop = db.drop;
    node = await startTestNode(db.url ? { databaseUrl: db.url } : {});
    admin = await signInByInject(node, ADMIN.email, ADMIN.password);
  });
  afterAll(async () => {
    await node?.close();
    await drop?.();
  });

  it('leaves the pass where it was', async () => {
    const now = Date.now();
    const call = async (method: 'GET' | 'POST' | 'DELETE', url: string, payload?: object) => node.app.inject({ method, url, ...as(admin), ...(payload ? { payload } : {}) });
    const event = (await call('POST', '/api/v1/events', { name: 'Undo', starts_at: now - 3600_000, ends_at: now + 3600_000 })).json();
    const session = (await call('POST', `/api/v1/events/${event.id}/sessions`, { name: 'Hall', starts_at: now - 3600_000, ends_at: now + 3600_000, all_attendees: true })).json();
    const person = (await call('POST', `/api/v1/events/${event.id}/attendees`, { name: 'Undo Person' })).json();
    const scan = await call('POST', '/api/v1/checkins/manual', { session_id: session.id, attendee_id: person.id, nonce: 'undo-test-0001' });
    expect(scan.json().result, scan.body).toBe('ok');
    const checkinId = scan.json().checkin.id as string;
    const passVersion = async () => (await node.app.inject({ url: `/api/v1/passes/by-link/${person.link_token}` })).json().version as number;

    expect((await call('DELETE', `/api/v1/checkins/${checkinId}`)).statusCode).toBe(200);
    const after = await passVersion();
    const again = await call('DELETE', `/api/v1/checkins/${checkinId}`);
    expect(again.statusCode, again.body).toBe(409);
    expect(again.json().error).toBe('conflict');
    expect(await passVersion()).toBe(after);
  });
});
