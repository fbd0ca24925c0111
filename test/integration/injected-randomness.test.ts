/**
 * A node takes every id, code and secret from the Random it is given (and
 * every time from its Clock): with the same seeded source, two nodes doing the
 * same things hand out the same values, which they could not if anything
 * reached around it to node:crypto (the application ids and secrets did).
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { Clock } from '../../src/domain/clock.js';
import type { Random } from '../../src/domain/random.js';
import { as, signInByInject } from '../support/api-suite.js';
import { ADMIN, startTestNode } from '../support/test-node.js';

/** A repeatable stream of bytes: SHA-256 of the seed and a counter. */
function seeded(seed: string): Random {
  let counter = 0;
  return {
    bytes(n) {
      const out = Buffer.alloc(n);
      for (let filled = 0; filled < n; filled += 32) createHash('sha256').update(`${seed}:${counter++}`).digest().copy(out, filled);
      return out;
    },
  };
}

/** A clock that stands still: check-in ids begin with their time (version 7 UUIDs), so both nodes live at the same moment. */
const stopped = (at: number): Clock => ({ now: () => at });

async function whatANodeHandsOut(seed: string, at: number) {
  const node = await startTestNode({}, { random: seeded(seed), clock: stopped(at) });
  try {
    const admin = await signInByInject(node, ADMIN.email, ADMIN.password);
    const app = (await node.app.inject({ method: 'POST', url: '/api/v1/clients', ...as(admin), payload: { name: 'TV', confidential: true } })).json();
    const user = (await node.app.inject({ method: 'POST', url: '/api/v1/users', ...as(admin), payload: { email: 'member@test.local', password: 'a long enough password', role: 'member' } })).json();
    const login = (await node.app.inject({ method: 'POST', url: '/oauth/device_authorization', payload: { client_id: app.client.client_id, client_secret: app.client_secret, scope: 'openid' } })).json();
    const post = async (url: string, payload: object) => (await node.app.inject({ method: 'POST', url, ...as(admin), payload })).json();
    const t = at;
    const event = await post('/api/v1/events', { name: 'Summit', starts_at: t - 3600_000, ends_at: t + 3600_000 });
    const session = await post(`/api/v1/events/${event.id}/sessions`, { name: 'Keynote', starts_at: t - 600_000, ends_at: t + 3600_000, all_attendees: true });
    const attendee = await post(`/api/v1/events/${event.id}/attendees`, { name: 'Ada', email: 'ada@test.local' });
    const scan = await post('/api/v1/checkins/manual', { session_id: session.id, attendee_id: attendee.id, nonce: 'first-scan' });
    return {
      adminId: admin.id, csrf: admin.csrf, clientId: app.client.client_id, secret: app.client_secret, userId: user.id, userCode: login.user_code, deviceCode: login.device_code,
      eventId: event.id, attendeeId: attendee.id, checkinId: scan.checkin?.id,
    };
  } finally {
    await node.close();
  }
}

describe('randomness passed to a node', () => {
  it('gives the same ids, secrets and codes from the same seed', async () => {
    const at = Date.now();
    const a = await whatANodeHandsOut('one', at);
    const b = await whatANodeHandsOut('one', at);
    expect(a.clientId).toMatch(/^app_/);
    expect(a.secret).toEqual(expect.any(String));
    expect(a.userCode).toMatch(/^[A-Z]{4}-[A-Z]{4}$/);
    expect(a.checkinId).toEqual(expect.any(String));
    expect(b).toEqual(a);
  });
});
