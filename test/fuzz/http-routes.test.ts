import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { dialects } from '../support/api-suite.js';
import { ADMIN, signIn } from '../support/test-node.js';
import { answerProblems } from './support/answer-check.js';
import { useFuzzTarget } from './support/fuzz-target.js';
import { runProperty, timeLimit } from './support/fuzz-run.js';
import { describeRequest, operationsOf, requestArb, send, withIdentity, type Answer, type FuzzRequest } from './support/http-requests.js';
import { SchemaValues } from './support/schema-values.js';
import type { World } from './support/seed-world.js';
import { snapshotDiff } from './support/store-digest.js';

/**
 * Every route of the OpenAPI document, fuzzed: bodies (JSON, form, CSV),
 * query strings, path parameters and headers, as nobody, an admin (cookie
 * and API key), staff and a scanner device. Invariants per case: the node
 * process stays up, no 5xx, every refusal has a stable code, and a refused
 * request leaves every stored row as it was. After the run the rows the
 * fuzzer never saw read the same as before and the database is sound.
 */
const RUNS = 1000;
const STAFF = { email: 'target-staff@test.local', password: 'a long enough password' };

describe.each(dialects)('every HTTP route under fuzzing on $name', ({ name, database }) => {
  const t = useFuzzTarget(database);
  let doc: Parameters<typeof operationsOf>[0] & { components?: { schemas?: Record<string, object> } };
  beforeAll(async () => {
    doc = (await (await fetch(`${t.node.url}/docs/json`)).json()) as typeof doc;
  });

  it('keeps the node up, answers no 5xx, gives every refusal a code and lets no refused request write', async () => {
    const { node, world, reader } = t;
    const ops = operationsOf(doc);
    expect(ops.length).toBeGreaterThan(50);
    const values = new SchemaValues(doc.components?.schemas ?? {}, world.pool);
    const perRoute = new Map<string, number>();
    const statuses = new Map<number, number>();
    /** Routes that took at least one case: the fuzzer got past validation and the guards there. */
    const accepted = new Set<string>();

    const property = fc.asyncProperty(fc.oneof(...ops.map((op) => requestArb(op, values).map((r) => Object.assign(r, { route: `${op.method} ${op.path}` })))), async (req: FuzzRequest & { route: string }) => {
      // After a crash every case fails the same way: keep the one that caused it as the counterexample.
      fc.pre(node.alive());
      const before = await reader.snapshot();
      const mark = node.mark();
      let answer: Answer;
      try {
        answer = await send(node.url, { method: req.method, url: req.url, headers: withIdentity(req, world.creds), ...(req.body !== undefined ? { body: req.body } : {}) });
      } catch (err) {
        throw new Error(`${describeCase(req)}\nno answer: ${String(err)}\n${node.death()}\n${node.logsSince(mark)}`);
      }
      perRoute.set(req.route, (perRoute.get(req.route) ?? 0) + 1);
      if (answer.status < 300) accepted.add(req.route);
      statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1);
      const problems = answerProblems(req.url, answer);
      if (!node.alive()) problems.push(node.death());
      if (answer.status >= 400 && node.alive()) {
        const changed = snapshotDiff(before, await reader.snapshot());
        if (changed) problems.push(`refused with ${answer.status} but changed stored rows:\n${changed}`);
      }
      if (problems.length) throw new Error(`${describeCase(req)}\n${problems.join('\n')}\nanswer: ${answer.status} ${answer.body.slice(0, 1000)}\nnode log:\n${node.logsSince(mark)}`);
      // The fuzzer signed its own session out: sign in again so later cases still reach the routes behind the guards.
      if (answer.status < 300 && req.method === 'DELETE' && req.url.startsWith('/api/v1/session')) {
        if (req.as.startsWith('admin-cookie')) world.creds.admin = await signIn(node.url, ADMIN.email, ADMIN.password);
        if (req.as === 'staff-cookie') world.creds.staff = await signIn(node.url, STAFF.email, STAFF.password);
      }
    });

    const result = await runProperty(`HTTP routes on ${name}`, RUNS, property, { timeLimitMs: 70_000 });
    console.log(
      `[fuzz] HTTP routes on ${name}: ${perRoute.size} of ${ops.length} routes reached; statuses ${JSON.stringify(Object.fromEntries([...statuses].sort((a, b) => a[0] - b[0])))}; ` +
        `fewest cases on one route: ${Math.min(...perRoute.values())}; never accepted a case: ${[...perRoute.keys()].filter((r) => !accepted.has(r)).join(', ') || 'none'}`,
    );
    expect(result.runs).toBeGreaterThan(0);

    // Stored data intact: the node is up, the kept rows read as before, the database is sound, and what the fuzzer wrote reads back.
    expect(node.alive(), node.death()).toBe(true);
    expect(await world.keptProblems()).toEqual([]);
    expect(await reader.integrity()).toBe('ok');
    const admin = await signIn(node.url, ADMIN.email, ADMIN.password);
    for (const path of readBack(world)) {
      const res = await fetch(`${node.url}${path}`, { headers: { cookie: admin.cookie } });
      expect(res.status, `${path}: ${await res.text()}`).toBeLessThan(500);
    }
  }, timeLimit(240_000));
});

/** Lists and target rows, read after the run: whatever the fuzzer managed to store must read back. */
function readBack(world: World): string[] {
  const p = world.pool;
  return [
    '/api/v1/users?limit=500',
    '/api/v1/events?limit=1000',
    '/api/v1/clients',
    '/api/v1/api-keys',
    '/api/v1/scanner/sessions',
    ...p.events!.flatMap((id) => [`/api/v1/events/${id}`, `/api/v1/events/${id}/attendees`, `/api/v1/events/${id}/attendance.csv`, `/api/v1/events/${id}/devices`, `/api/v1/events/${id}/webhook/deliveries`]),
    ...p.sessions!.flatMap((id) => [`/api/v1/sessions/${id}/counts`, `/api/v1/sessions/${id}/attendance.csv`, `/api/v1/sessions/${id}/staff`, `/api/v1/sessions/${id}/attendees`]),
    '/api/v1/queues',
    ...p.queues!.flatMap((id) => [`/api/v1/queues/${id}`, `/api/v1/queues/${id}/board`, `/api/v1/queues/${id}/entrance-code`, `/api/v1/queues/${id}/webhook/deliveries`]),
  ];
}

function describeCase(req: FuzzRequest & { route: string }): string {
  return `case (${req.route}): ${describeRequest(req)}`;
}
