import { ADMIN, signIn } from '../../support/test-node.js';
import type { Credentials } from './http-requests.js';
import type { Pool } from './schema-values.js';

/**
 * The rows the fuzzer runs against, made through the API: accounts, an API
 * key, applications, login requests, events with sessions, attendees,
 * scanners and check-ins, a share and a live counter.
 *
 * Two of each kind: the *target* rows, whose ids the fuzzer is handed so its
 * requests reach deep into the handlers (and may change them, when a request
 * is allowed to), and the *kept* rows, whose ids it never learns. The kept
 * rows must read exactly the same through the API after the run.
 */
export interface World {
  creds: Credentials;
  pool: Pool;
  /** Channels with a valid token each, for the live surfaces. */
  channels: { channel: string; token: string }[];
  /** The API's views of the kept rows, for `keptProblems`. */
  keptViews: Record<string, string>;
}

type Json = Record<string, unknown>;

async function call(url: string, method: string, path: string, who: { cookie: string; csrf: string } | undefined, body?: unknown, form?: Record<string, string>): Promise<Json> {
  const headers: Record<string, string> = who ? { cookie: who.cookie, 'x-csrf-token': who.csrf } : {};
  let payload: string | undefined;
  if (form) {
    headers['content-type'] = 'application/x-www-form-urlencoded';
    payload = new URLSearchParams(form).toString();
  } else if (body !== undefined) {
    headers['content-type'] = 'application/json';
    payload = JSON.stringify(body);
  }
  const res = await fetch(`${url}${path}`, { method, headers, ...(payload !== undefined ? { body: payload } : {}) });
  const text = await res.text();
  if (res.status >= 300) throw new Error(`seeding: ${method} ${path} answered ${res.status}: ${text}`);
  return text ? (JSON.parse(text) as Json) : {};
}

/** The kept rows' views; each must still read the same after the run. */
const keptPaths = (k: { event: string; session: string; staff: string }) => ({
  event: `/api/v1/events/${k.event}`,
  attendees: `/api/v1/events/${k.event}/attendees`,
  counts: `/api/v1/sessions/${k.session}/counts`,
  attendance: `/api/v1/sessions/${k.session}/attendance.csv`,
  staff: `/api/v1/sessions/${k.session}/staff`,
  webhook: `/api/v1/events/${k.event}/webhook`,
});

async function readViews(url: string, admin: { cookie: string; csrf: string }, paths: Record<string, string>): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const [name, path] of Object.entries(paths)) {
    const res = await fetch(`${url}${path}`, { headers: { cookie: admin.cookie } });
    // The server clock and freshly minted channel tokens move by themselves; everything else must not.
    out[name] = `${res.status} ${(await res.text()).replace(/"server_time":\d+|"token":"[^"]*","expires_at":\d+/g, '')}`;
  }
  // Lists that the fuzzer may add to: the kept entries must still be there, unchanged.
  const users = (await call(url, 'GET', '/api/v1/users?limit=500', admin)).users as Json[];
  out.keptUser = JSON.stringify(users.find((u) => String(u.email).startsWith('kept-staff@')));
  const clients = (await call(url, 'GET', '/api/v1/clients', admin)).clients as Json[];
  out.keptClient = JSON.stringify(clients.find((c) => c.client_id === 'fuzz-kept'));
  return out;
}

/**
 * The views once they stop moving: the counts publisher bumps a session's
 * version a moment after a check-in (coalesced), so the first read may be
 * one version early.
 */
async function settledViews(url: string, admin: { cookie: string; csrf: string }, paths: Record<string, string>): Promise<Record<string, string>> {
  // Its coalescing gap grows with the time a snapshot takes: wait for 1.5 s without a change.
  let last = await readViews(url, admin, paths);
  let still = 0;
  for (let i = 0; i < 40 && still < 6; i++) {
    await new Promise((r) => setTimeout(r, 250));
    const now = await readViews(url, admin, paths);
    still = JSON.stringify(now) === JSON.stringify(last) ? still + 1 : 0;
    last = now;
  }
  return last;
}

export async function seedWorld(url: string): Promise<World & { keptProblems(): Promise<string[]> }> {
  const admin = await signIn(url, ADMIN.email, ADMIN.password);
  const as = (who = admin) => who;
  const now = Date.now();

  // Reads the kept views after the run and makes the kept check-in (whose scanner's name they show).
  // Its id is in no pool: the fuzzer may rename, demote or disable the admin it acts as (once it has
  // made another admin), which is the product working, not a lost view.
  const READER = { email: 'kept-reader@test.local', password: 'a long enough password' };
  await call(url, 'POST', '/api/v1/users', admin, { ...READER, role: 'admin', name: 'Kept Reader' });
  const reader = await signIn(url, READER.email, READER.password);
  const staff = await call(url, 'POST', '/api/v1/users', admin, { email: 'target-staff@test.local', password: 'a long enough password', role: 'staff', name: 'Target Staff' });
  await call(url, 'POST', '/api/v1/users', admin, { email: 'kept-staff@test.local', password: 'a long enough password', role: 'staff', name: 'Kept Staff' });
  // The account the fuzzer signs in as (and fails to): its sign-in back-off never locks out an identity it calls as.
  await call(url, 'POST', '/api/v1/users', admin, { email: 'target-member@test.local', password: 'a long enough password', role: 'member', name: 'Target Member' });
  const staffSession = await signIn(url, 'target-staff@test.local', 'a long enough password');
  const adminKey = (await call(url, 'POST', '/api/v1/api-keys', admin, { name: 'the fuzzer' })).key as string;
  const victimKey = (await call(url, 'POST', '/api/v1/api-keys', admin, { name: 'a key the fuzzer may revoke' })).api_key as Json;
  const me = (await call(url, 'GET', '/api/v1/me', admin)) as { user: { id: string } };

  await call(url, 'POST', '/api/v1/clients', admin, { name: 'Target app', client_id: 'fuzz-target' });
  await call(url, 'POST', '/api/v1/clients', admin, { name: 'Kept app', client_id: 'fuzz-kept', confidential: true });
  const logins = [];
  for (let i = 0; i < 4; i++) logins.push(await call(url, 'POST', '/oauth/device_authorization', undefined, undefined, { client_id: 'fuzz-target', scope: 'openid profile' }));
  // Two claimed by the fuzzer's admin session, so approve and deny reach their checks.
  for (const l of logins.slice(0, 2)) await call(url, 'GET', `/api/v1/login-requests/${String(l.user_code)}`, admin);

  const event = async (name: string) => (await call(url, 'POST', '/api/v1/events', admin, { name, starts_at: now - 3600_000, ends_at: now + 86_400_000 })).id as string;
  const session = async (eventId: string, name: string, all: boolean) =>
    (await call(url, 'POST', `/api/v1/events/${eventId}/sessions`, admin, { name, starts_at: now - 3600_000, ends_at: now + 7200_000, all_attendees: all })).id as string;
  const attendee = async (eventId: string, name: string, sessionIds: string[]) => call(url, 'POST', `/api/v1/events/${eventId}/attendees`, admin, { name, email: `${name.replace(/\W/g, '').toLowerCase()}@test.local`, session_ids: sessionIds });

  const kept = { event: await event('Kept event'), session: '', staff: '' };
  kept.session = await session(kept.event, 'Kept session', true);
  const keptPeople = [await attendee(kept.event, 'Kept One', [kept.session]), await attendee(kept.event, 'Kept Two', [])];
  await call(url, 'POST', '/api/v1/checkins/manual', reader, { session_id: kept.session, attendee_id: keptPeople[0]!.id, nonce: 'seed-kept-0001' });

  const targetEvent = await event('Target event');
  const targetSessions = [await session(targetEvent, 'Open hall', true), await session(targetEvent, 'Workshop', false)];
  const people = [];
  for (const name of ['Ada Target', 'Bo Target', '李 Target']) people.push(await attendee(targetEvent, name, [targetSessions[1]!]));
  const checkin = (await call(url, 'POST', '/api/v1/checkins/manual', admin, { session_id: targetSessions[0], attendee_id: people[0]!.id, nonce: 'seed-target-0001' })).checkin as Json;
  await call(url, 'POST', `/api/v1/sessions/${targetSessions[1]}/staff`, admin, { user_id: staff.id });
  const device = await call(url, 'POST', `/api/v1/events/${targetEvent}/devices`, admin, { name: 'Door 1' });
  const pass = await call(url, 'GET', `/api/v1/passes/by-link/${String((people[1] as Json).link_token)}`, undefined);
  const counts = await call(url, 'GET', `/api/v1/sessions/${targetSessions[0]}/counts`, admin);

  const share = await call(url, 'POST', '/api/v1/shares', staffSession, { title: 'Card', fields: { name: 'Target Staff', email: 'target-staff@test.local' } });
  // Two more, claimed by the admin: the staff owner's approve and deny reach their checks.
  const claimed = [];
  for (let i = 0; i < 2; i++) {
    const made = await call(url, 'POST', '/api/v1/shares', staffSession, { title: `Claimed ${i}`, fields: { name: 'Target Staff' } });
    await call(url, 'POST', '/api/v1/shares/claim', admin, { code: made.code });
    claimed.push(String(made.id));
  }
  const counter = (await call(url, 'POST', '/test/counters/fuzz', undefined)) as { channel: string; token: string };

  // A queue staffed by the fuzzer's staff account, with tickets waiting and one called: the queue's routes reach their checks.
  const queue = await call(url, 'POST', '/api/v1/queues', admin, {
    name: 'Target branch',
    timezone: 'Asia/Shanghai',
    services: [{ name: 'Deposits', prefix: 'A' }, { name: 'Loans', prefix: 'B', ask: 'name', max_waiting: 3 }],
    counters: [{ name: 'Counter 1', services: ['A'] }, { name: 'Counter 2', services: ['A', 'B'] }],
  });
  const queueServices = (queue.services as Json[]).map((x) => String(x.id));
  const queueCounters = (queue.counters as Json[]).map((x) => String(x.id));
  await call(url, 'PUT', `/api/v1/queues/${String(queue.id)}/staff/${String(staff.id)}`, admin);
  const entrance = (await call(url, 'GET', `/api/v1/queues/${String(queue.id)}/entrance-code`, admin)).code as string;
  const tickets: Json[] = [];
  for (let i = 0; i < 4; i++) tickets.push(await call(url, 'POST', `/api/v1/queues/${String(queue.id)}/tickets`, undefined, { service_id: queueServices[0], entrance_code: entrance }));
  await call(url, 'POST', `/api/v1/counters/${queueCounters[0]}/call`, admin);

  const live = (v: Json) => v.live as { channel: string; token: string };
  const channels = [counter, live(pass), live(counts), live(share), live(tickets[1]!), tickets[1]!.line as { channel: string; token: string }, ...logins.map((l) => ({ channel: `login:${String(l.id ?? '')}`, token: String(l.live_token ?? l.token ?? '') }))].filter(
    (c) => c.channel && c.token && !c.channel.endsWith(':'),
  );
  const codes = ((pass.codes as Json[]) ?? []).map((c) => String(c.code));
  const userCodes = logins.map((l) => String(l.user_code));
  const pool: Pool = {
    users: [String(staff.id), me.user.id],
    'api-keys': [String(victimKey.id)],
    clients: ['fuzz-target'],
    client_id: ['fuzz-target'],
    user_code: [...userCodes, ...userCodes.map((c) => c.replace('-', ''))],
    device_code: logins.map((l) => String(l.device_code)),
    events: [targetEvent],
    sessions: targetSessions,
    attendees: people.map((p) => String(p.id)),
    devices: [String(device.id)],
    queues: [String(queue.id)],
    services: queueServices,
    counters: queueCounters,
    tickets: tickets.map((t) => String(t.id)),
    entrance_code: [entrance],
    checkins: [String(checkin.id)],
    shares: [String(share.id), ...claimed],
    // The share's code and a few pass codes (a pass holds 20): both kinds of `code` field.
    code: [String(share.code ?? ''), ...codes.slice(0, 2)],
    token: [String((people[2] as Json).link_token), ...tickets.map((t) => String(t.token)), ...channels.map((c) => c.token)],
    'by-link': [String((people[2] as Json).link_token)],
    channel: channels.map((c) => c.channel),
    csrf: [admin.csrf],
    // Real sign-ins now and then: the session routes past the password check.
    // Not an identity's: the fuzzer's wrong passwords put this account under the sign-in back-off.
    email: ['target-member@test.local'],
    password: [ADMIN.password, 'a long enough password'],
    grant_type: ['urn:ietf:params:oauth:grant-type:device_code'],
    scope: ['openid', 'openid profile email'],
    form: ['fuzz-target', 'urn:ietf:params:oauth:grant-type:device_code', ...logins.map((l) => String(l.device_code))],
  };
  const creds: Credentials = { admin, staff: staffSession, adminKey, deviceToken: String(device.token) };
  const paths = keptPaths(kept);
  const keptViews = await settledViews(url, admin, paths);
  return {
    creds,
    pool,
    channels,
    keptViews,
    async keptProblems() {
      const fresh = await signIn(url, READER.email, READER.password);
      const now = await readViews(url, as(fresh), paths);
      return Object.keys(keptViews)
        .filter((k) => now[k] !== keptViews[k])
        .map((k) => {
          const [a, b] = [keptViews[k]!, now[k]!];
          let i = 0;
          while (i < a.length && a[i] === b[i]) i++;
          // Where they part, with some context on each side.
          const from = Math.max(0, i - 200);
          return `kept ${k} changed at character ${i}:\n  before: …${a.slice(from, i + 400)}\n  after:  …${b.slice(from, i + 400)}`;
        });
    },
  };
}
