import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { dialects } from '../support/api-suite.js';
import { answerProblems } from './support/answer-check.js';
import { useFuzzTarget } from './support/fuzz-target.js';
import { runProperty, SNAKE, timeLimit } from './support/fuzz-run.js';
import { NUMBER_TEXTS, NUMBERISH_STRINGS, SPECIAL_KEYS, headerSafe, hostileString, rarely, shortHostileString } from './support/hostile-values.js';
import { pct, send, squeeze, type Answer } from './support/http-requests.js';
import { snapshotDiff } from './support/store-digest.js';

/**
 * Every query parameter of the live channel over Server-Sent Events
 * (`/v1/live/sse`) and long-poll (`/v1/live/poll`), and `Last-Event-ID`:
 * real channels with their real tokens, mixed field by field with tokens of
 * other channels, made-up channel names and values of every type. The node
 * must stay up, answer no 5xx, refuse with a stable code, and, since these
 * are reads, store nothing at all.
 */
const RUNS = 300;

interface LiveCase {
  path: '/v1/live/sse' | '/v1/live/poll';
  query: [string, string][];
  headers: Record<string, string>;
}

const describeCase = (c: LiveCase) => squeeze(`GET ${c.path}?${c.query.map(([k, v]) => `${k}=${v}`).join('&')} headers ${JSON.stringify(c.headers)}`);

function liveCase(channels: { channel: string; token: string }[]): fc.Arbitrary<LiveCase> {
  const kinds = ['login', 'share', 'pass', 'session', 'ticket', 'board', 'counter', 'nope', ''];
  // Mostly versions that make sense, so the subscription itself is reached; then every odd number.
  const number = fc.oneof(
    { weight: 5, arbitrary: fc.nat({ max: 20 }).map(String) },
    { weight: 2, arbitrary: fc.constantFrom(...NUMBER_TEXTS, ...NUMBERISH_STRINGS) },
    { weight: 1, arbitrary: shortHostileString },
  );
  const param = (name: string, value: fc.Arbitrary<string>) =>
    fc.oneof({ weight: 1, arbitrary: fc.constant([] as [string, string][]) }, { weight: 6, arbitrary: value.map((v) => [[name, v]] as [string, string][]) }, { weight: 1, arbitrary: fc.array(value, { minLength: 2, maxLength: 3 }).map((vs) => vs.map((v) => [name, v] as [string, string])) });
  return fc
    .record({
      path: fc.constantFrom('/v1/live/sse' as const, '/v1/live/poll' as const),
      pick: fc.nat({ max: channels.length - 1 }),
      other: fc.nat({ max: channels.length - 1 }),
      channel: fc.oneof(
        { weight: 6, arbitrary: fc.constant(undefined) },
        { weight: 2, arbitrary: fc.tuple(fc.constantFrom(...kinds), shortHostileString).map(([k, id]) => `${k}:${id}`) },
        { weight: 1, arbitrary: hostileString },
      ),
      token: fc.oneof(
        { weight: 6, arbitrary: fc.constant(undefined) },
        { weight: 1, arbitrary: fc.constant('other') },
        { weight: 2, arbitrary: hostileString },
        // A real token, one character changed: the signature check, not the parser, must refuse it.
        { weight: 1, arbitrary: fc.nat().map((n) => `flip:${n}`) },
      ),
      wait: fc.oneof({ weight: 4, arbitrary: fc.constantFrom('0', '1') }, { weight: 1, arbitrary: number }),
      extra: rarely(fc.tuple(fc.oneof(fc.constantFrom(...SPECIAL_KEYS), fc.string({ maxLength: 6 })), shortHostileString), 5),
      lastEventId: rarely(fc.oneof(number, shortHostileString), 3),
      dropChannel: rarely(fc.constant(true), 8),
      dropToken: rarely(fc.constant(true), 8),
      order: fc.boolean(),
    })
    .chain((r) => {
      const real = channels[r.pick]!;
      const channel = r.channel ?? real.channel;
      let token = real.token;
      if (r.token === 'other') token = channels[r.other]!.token;
      else if (r.token?.startsWith('flip:')) {
        const i = Number(r.token.slice(5)) % token.length;
        token = `${token.slice(0, i)}${token[i] === 'A' ? 'B' : 'A'}${token.slice(i + 1)}`;
      } else if (r.token !== undefined) token = r.token;
      return fc
        .tuple(param('after', number), r.path === '/v1/live/poll' ? param('wait', fc.constant(r.wait)) : fc.constant([] as [string, string][]))
        .map(([after, wait]) => {
          const query: [string, string][] = [...(r.dropChannel && r.channel === undefined ? [] : [['channel', channel] as [string, string]]), ...(r.dropToken ? [] : [['token', token] as [string, string]]), ...after, ...wait];
          if (r.extra) query.push(r.extra);
          if (r.order) query.reverse();
          const c: LiveCase = { path: r.path, query, headers: r.lastEventId === undefined ? {} : { 'last-event-id': headerSafe(r.lastEventId) } };
          return Object.assign(c, { [fc.toStringMethod]: () => describeCase(c) });
        });
    });
}

/** An event stream's events must be JSON, its error events with a stable code. */
function streamProblems(a: Answer): string[] {
  if (a.status !== 200 || !/event-stream/.test(String(a.headers['content-type']))) return [];
  const problems: string[] = [];
  for (const block of a.body.split('\n\n')) {
    const data = block.split('\n').find((l) => l.startsWith('data: '));
    if (!data) continue;
    try {
      const frame = JSON.parse(data.slice(6)) as { op?: string; code?: unknown };
      if (frame.op === 'error' && (typeof frame.code !== 'string' || !SNAKE.test(frame.code))) problems.push(`error event without a snake_case code: ${data}`);
    } catch {
      problems.push(`event data that is not JSON: ${data.slice(0, 200)}`);
    }
  }
  return problems;
}

describe.each(dialects)('SSE and long-poll parameters under fuzzing on $name', ({ name, database }) => {
  const t = useFuzzTarget(database);

  it('keeps the node up, answers no 5xx, refuses with stable codes and stores nothing', async () => {
    const { node, world, reader } = t;
    expect(world.channels.length).toBeGreaterThan(2);
    const before = await reader.snapshot();
    const statuses = new Map<string, number>();
    const property = fc.asyncProperty(liveCase(world.channels), async (c) => {
      fc.pre(node.alive());
      const mark = node.mark();
      const url = `${c.path}?${c.query.map(([k, v]) => `${pct(k)}=${pct(v)}`).join('&')}`;
      let answer: Answer;
      try {
        // A poll with nothing newer holds for `wait`; how long it would have waited is not under test.
        answer = await send(node.url, { method: 'GET', url, headers: c.headers }, 400);
      } catch (err) {
        throw new Error(`${describeCase(c)}\nno answer: ${String(err)}\n${node.death()}\n${node.logsSince(mark)}`);
      }
      const key = `${c.path} ${answer.status || 'held'}`;
      statuses.set(key, (statuses.get(key) ?? 0) + 1);
      const problems = [...answerProblems(url, answer), ...streamProblems(answer)];
      if (!node.alive()) problems.push(node.death());
      if (problems.length) throw new Error(`${describeCase(c)}\n${problems.join('\n')}\nanswer: ${answer.status} ${answer.body.slice(0, 1000)}\nnode log:\n${node.logsSince(mark)}`);
    });
    await runProperty(`SSE and long-poll on ${name}`, RUNS, property, { timeLimitMs: 45_000 });
    console.log(`[fuzz] SSE and long-poll on ${name}: ${JSON.stringify(Object.fromEntries([...statuses].sort()))}`);

    expect(node.alive(), node.death()).toBe(true);
    expect(snapshotDiff(before, await reader.snapshot())).toBe('');
    expect(await reader.integrity()).toBe('ok');
  }, timeLimit(180_000));
});
