import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { dialects } from '../support/api-suite.js';
import type { FuzzNode } from './support/fuzz-node.js';
import { useFuzzTarget } from './support/fuzz-target.js';
import { runProperty, SNAKE, timeLimit } from './support/fuzz-run.js';
import { headerSafe, hostileJson, malformedJson, NUMBER_TEXTS, rarely, shortHostileString, SPECIAL_KEYS } from './support/hostile-values.js';
import { pct, squeeze } from './support/http-requests.js';
import { snapshotDiff } from './support/store-digest.js';

/**
 * Every field of every WebSocket frame on `/v1/live` (`op`, `channel`,
 * `token`, `after`, extra keys), frames that are not objects, binary frames,
 * invalid UTF-8 and frames past the size limit, and the upgrade request's
 * query and headers. After the fuzzed frames each socket subscribes to a real
 * channel: the answer (or a close) shows the server read everything before.
 * The node must stay up, every frame it sends must be a state or an error
 * with a stable code, no socket may end abnormally (1006) or with 1011, and
 * nothing may be stored.
 */
const RUNS = 400;
/** Close codes a refusal may end a socket with: policy, unsupported or invalid data, too big. */
const ACCEPTABLE_CLOSES = new Set([1000, 1001, 1002, 1003, 1007, 1008, 1009, 1012, 1013]);

type Frame = { text: string } | { binary: readonly number[] } | { invalidUtf8: readonly number[] };
interface WsCase {
  query: string;
  headers: Record<string, string>;
  frames: Frame[];
}

const frameText = (f: Frame) => ('text' in f ? f.text : 'binary' in f ? `<binary ${Buffer.from(f.binary).toString('hex')}>` : `<invalid utf-8 ${Buffer.from(f.invalidUtf8).toString('hex')}>`);
const describeCase = (c: WsCase) => squeeze(`/v1/live${c.query} headers ${JSON.stringify(c.headers)}; frames: ${c.frames.map(frameText).join('  |  ')}`);

function wsCase(channels: { channel: string; token: string }[]): fc.Arbitrary<WsCase> {
  const pick = fc.nat({ max: channels.length - 1 });
  const field = (valid: fc.Arbitrary<string>) => fc.oneof({ weight: 1, arbitrary: fc.constant(undefined) }, { weight: 6, arbitrary: valid }, { weight: 2, arbitrary: hostileJson });
  // A frame object built field by field: real channels and tokens (their own or another's), every type elsewhere.
  const objectFrame = fc
    .record({
      op: field(fc.constantFrom('"sub"', '"unsub"', '"SUB"', '"ping"')),
      i: pick,
      j: pick,
      channel: fc.oneof({ weight: 5, arbitrary: fc.constant('real') }, { weight: 1, arbitrary: fc.constant(undefined) }, { weight: 2, arbitrary: hostileJson }, { weight: 1, arbitrary: shortHostileString.map((s) => JSON.stringify(`login:${s}`)) }),
      token: fc.oneof({ weight: 5, arbitrary: fc.constant('real') }, { weight: 1, arbitrary: fc.constant('other') }, { weight: 1, arbitrary: fc.constant(undefined) }, { weight: 2, arbitrary: hostileJson }),
      after: field(fc.oneof(fc.nat({ max: 10 }).map(String), fc.constantFrom(...NUMBER_TEXTS))),
      extra: rarely(fc.tuple(fc.oneof(fc.constantFrom(...SPECIAL_KEYS), fc.string({ maxLength: 6 })), hostileJson), 4),
    })
    .map((r) => {
      const parts: string[] = [];
      if (r.op !== undefined) parts.push(`"op":${r.op}`);
      if (r.channel !== undefined) parts.push(`"channel":${r.channel === 'real' ? JSON.stringify(channels[r.i]!.channel) : r.channel}`);
      if (r.token !== undefined) parts.push(`"token":${r.token === 'real' ? JSON.stringify(channels[r.i]!.token) : r.token === 'other' ? JSON.stringify(channels[r.j]!.token) : r.token}`);
      if (r.after !== undefined) parts.push(`"after":${r.after}`);
      if (r.extra) parts.push(`${JSON.stringify(r.extra[0])}:${r.extra[1]}`);
      return { text: `{${parts.join(',')}}` } as Frame;
    });
  const frame: fc.Arbitrary<Frame> = fc.oneof(
    { weight: 10, arbitrary: objectFrame },
    { weight: 2, arbitrary: hostileJson.map((text) => ({ text })) },
    { weight: 1, arbitrary: malformedJson.map((text) => ({ text })) },
    { weight: 1, arbitrary: fc.constantFrom('{"op":{"toString":1}}', '{"op":{"valueOf":1}}', '{"op":["sub"]}', '{"op":"sub","channel":{"toString":1},"token":"x"}', '{"__proto__":{"op":"sub"}}').map((text) => ({ text })) },
    { weight: 1, arbitrary: fc.uint8Array({ maxLength: 32 }).map((b) => ({ binary: [...b] })) },
    { weight: 1, arbitrary: fc.constantFrom([0xc3, 0x28], [0xff, 0xfe, 0x7b], [0xed, 0xa0, 0x80]).map((b) => ({ invalidUtf8: b })) },
    { weight: 1, arbitrary: fc.constant({ text: `{"op":"sub","channel":"${'x'.repeat(5000)}"}` }) },
  );
  return fc.record({
    query: rarely(fc.tuple(fc.oneof(fc.constantFrom(...SPECIAL_KEYS, 'channel', 'token'), fc.string({ maxLength: 6 })), shortHostileString).map(([k, v]) => `?${pct(k)}=${pct(v)}`), 6).map((q) => q ?? ''),
    headers: rarely(
      fc.record(
        {
          origin: fc.oneof(fc.constantFrom('https://evil.example', 'null'), shortHostileString),
          cookie: shortHostileString.map((s) => `scanpass_session=${s}`),
          'x-forwarded-for': fc.oneof(fc.constantFrom('1.2.3.4', '::1', 'x'), shortHostileString),
        },
        { requiredKeys: [] },
      ),
      5,
    ).map((h) => Object.fromEntries(Object.entries(h ?? {}).map(([k, v]) => [k, headerSafe(v)]))),
    frames: fc.array(frame, { minLength: 1, maxLength: 4 }),
  }).map((c) => Object.assign(c, { [fc.toStringMethod]: () => describeCase(c) }));
}

/** What is wrong with a frame the server sent. */
function frameProblems(raw: string): string[] {
  let f: Record<string, unknown>;
  try {
    f = JSON.parse(raw) as Record<string, unknown>;
  } catch {
    return [`server frame that is not JSON: ${raw.slice(0, 200)}`];
  }
  if (f.op === 'error') return typeof f.code === 'string' && SNAKE.test(f.code) && typeof f.message === 'string' ? [] : [`error frame without a snake_case code and a message: ${raw.slice(0, 300)}`];
  return typeof f.channel === 'string' && typeof f.version === 'number' && typeof f.type === 'string' ? [] : [`server frame that is neither a state nor an error: ${raw.slice(0, 300)}`];
}

/** Opens a socket, sends the case's frames, then the barrier subscription; resolves with what happened. */
function play(url: string, c: WsCase, barrier: { channel: string; token: string }): Promise<{ problems: string[]; received: string[]; close?: number; refused?: string }> {
  return new Promise((resolve) => {
    const ws = new WebSocket(`${url.replace(/^http/, 'ws')}/v1/live${c.query}`, { headers: c.headers });
    const received: string[] = [];
    const problems: string[] = [];
    let done = false;
    const finish = (extra: { close?: number; refused?: string } = {}) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      ws.terminate();
      resolve({ problems, received, ...extra });
    };
    const timer = setTimeout(() => {
      problems.push('the socket neither answered the subscription sent after the fuzzed frames nor closed within 5 s');
      finish();
    }, 5000);
    ws.on('unexpected-response', (_req, res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => {
        if ((res.statusCode ?? 0) >= 500) problems.push(`upgrade answered ${res.statusCode}`);
        try {
          const b = JSON.parse(body) as { error?: unknown };
          if (typeof b.error !== 'string' || !SNAKE.test(b.error)) problems.push(`upgrade refused without a snake_case code: ${body.slice(0, 200)}`);
        } catch {
          problems.push(`upgrade refused with ${res.statusCode} and a body that is not JSON: ${body.slice(0, 200)}`);
        }
        finish({ refused: `${res.statusCode} ${body.slice(0, 200)}` });
      });
    });
    ws.on('error', () => {});
    ws.on('message', (data, isBinary) => {
      if (done) return;
      const text = (data as Buffer).toString();
      received.push(text);
      if (isBinary) problems.push('server sent a binary frame');
      problems.push(...frameProblems(text));
      try {
        if ((JSON.parse(text) as { channel?: string }).channel === barrier.channel) finish();
      } catch {
        // reported above
      }
    });
    ws.on('close', (code) => {
      if (done) return; // we ended it
      if (!ACCEPTABLE_CLOSES.has(code)) problems.push(`socket closed with ${code}${code === 1006 ? ' (abnormally: no close frame)' : ''}`);
      finish({ close: code });
    });
    ws.on('open', () => {
      for (const f of c.frames) {
        if ('text' in f) ws.send(f.text);
        else if ('binary' in f) ws.send(Buffer.from(f.binary), { binary: true });
        else ws.send(Buffer.from(f.invalidUtf8), { binary: false });
      }
      ws.send(JSON.stringify({ op: 'sub', channel: barrier.channel, token: barrier.token, after: 0 }));
    });
  });
}

describe.each(dialects)('WebSocket frames under fuzzing on $name', ({ name, database }) => {
  const t = useFuzzTarget(database);

  it('keeps the node up, answers every frame with a state or a coded error, and stores nothing', async () => {
    const { node, world, reader } = t;
    const barrier = world.channels.find((c) => c.channel.startsWith('counter:'))!;
    const outcomes = new Map<string, number>();
    const property = fc.asyncProperty(wsCase(world.channels), async (c) => {
      fc.pre(node.alive());
      const mark = node.mark();
      const rowsBefore = await reader.snapshot();
      const r = await play(node.url, c, barrier);
      const key = r.refused ? 'upgrade refused' : r.close !== undefined ? `closed ${r.close}` : 'answered';
      outcomes.set(key, (outcomes.get(key) ?? 0) + 1);
      // A crash may land a moment after the frame that caused it.
      if (!node.alive() || !(await stillUp(node))) r.problems.push(node.death());
      const written = node.alive() ? snapshotDiff(rowsBefore, await reader.snapshot()) : '';
      if (written) r.problems.push(`a live subscription changed stored rows:\n${written}`);
      if (r.problems.length) throw new Error(`${describeCase(c)}\n${[...new Set(r.problems)].join('\n')}\nreceived: ${r.received.join('\n  ').slice(0, 1500)}\nnode log:\n${node.logsSince(mark)}`);
    });
    await runProperty(`WebSocket frames on ${name}`, RUNS, property, { timeLimitMs: 45_000 });
    console.log(`[fuzz] WebSocket frames on ${name}: ${JSON.stringify(Object.fromEntries([...outcomes].sort()))}`);

    expect(node.alive(), node.death()).toBe(true);
    expect(await reader.integrity()).toBe('ok');
  }, timeLimit(180_000));
});

/** The node still answers HTTP. */
async function stillUp(node: FuzzNode): Promise<boolean> {
  try {
    return (await fetch(`${node.url}/healthz`)).status === 200;
  } catch {
    return false;
  }
}
