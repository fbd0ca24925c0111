import http from 'node:http';
import fc from 'fast-check';
import { headerSafe, hostileJson, hostileString, malformedJson, NUMBERISH_STRINGS, rarely, shortHostileString, SPECIAL_KEYS } from './hostile-values.js';
import type { Schema, SchemaValues } from './schema-values.js';

/** One operation of the OpenAPI document. */
interface Operation {
  method: string;
  path: string;
  params: { in: 'query' | 'path' | 'header'; name: string; required: boolean; schema: Schema }[];
  /** Content types the operation declares for its body, with the schema. */
  body?: { types: string[]; schema: Schema };
  /** The operation says in words that it takes text/csv (the import route). */
  csv: boolean;
}

type OpenApiDoc = {
  paths: Record<string, Record<string, { parameters?: Operation['params']; requestBody?: { content: Record<string, { schema: Schema }> }; summary?: string; description?: string }>>;
  components?: { schemas?: Record<string, Schema> };
};

/** Every operation of the document, so a route added tomorrow is fuzzed tomorrow. */
export function operationsOf(doc: OpenApiDoc): Operation[] {
  const out: Operation[] = [];
  for (const [path, methods] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(methods)) {
      const content = op.requestBody?.content;
      const types = content ? Object.keys(content) : [];
      out.push({
        method: method.toUpperCase(),
        path,
        params: op.parameters ?? [],
        ...(content ? { body: { types, schema: content[types[0]!]!.schema } } : {}),
        csv: /text\/csv/.test(`${op.summary ?? ''} ${op.description ?? ''}`),
      });
    }
  }
  return out;
}

/** Who a request is sent as; resolved to real credentials when it is sent, so a counterexample reads as a role. */
const IDENTITIES = ['anonymous', 'admin-cookie', 'admin-cookie-without-csrf', 'admin-api-key', 'staff-cookie', 'device-token', 'unknown-api-key'] as const;
type Identity = (typeof IDENTITIES)[number];
/** Mostly callers who get past the guards, so the handlers behind them are what is fuzzed. */
const IDENTITY_WEIGHTS: Record<Identity, number> = { anonymous: 2, 'admin-cookie': 5, 'admin-cookie-without-csrf': 1, 'admin-api-key': 4, 'staff-cookie': 2, 'device-token': 2, 'unknown-api-key': 1 };
const identityArb = fc.oneof(...IDENTITIES.map((id) => ({ weight: IDENTITY_WEIGHTS[id], arbitrary: fc.constant(id) })));

export interface Credentials {
  admin: { cookie: string; csrf: string };
  staff: { cookie: string; csrf: string };
  adminKey: string;
  deviceToken: string;
}

export interface FuzzRequest {
  as: Identity;
  method: string;
  /** Path with its parameters filled in and encoded, and the query string. */
  url: string;
  headers: Record<string, string>;
  body?: string;
}

/** Percent-encodes what a request line cannot carry; `raw` keeps `/`, `.`, `%` and the like as they are. */
export function pct(s: string, raw = false): string {
  const keep = raw ? /[\x21-\x7e]/ : /[A-Za-z0-9\-_.~]/;
  let out = '';
  for (const ch of s) {
    if (keep.test(ch) && ch !== '#' && ch !== '?') out += ch;
    else for (const b of Buffer.from(ch, 'utf8')) out += `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

const CONTENT_TYPES = [
  'application/json',
  'application/json; charset=utf-8',
  'application/x-www-form-urlencoded',
  'text/csv',
  'application/csv',
  'text/plain',
  'multipart/form-data; boundary=x',
  'application/octet-stream',
  'application/json; charset=utf-16',
  'APPLICATION/JSON',
  '*/*',
  '',
];

/** Headers a caller controls, each sometimes set to something odd. */
function headerArb(values: SchemaValues): fc.Arbitrary<Record<string, string>> {
  const csrf = values.real('csrf');
  const b64 = (s: string) => Buffer.from(s).toString('base64');
  // Each header now and then, so a case usually changes one or two and keeps its identity's credentials.
  const some = <T>(arbs: Record<string, fc.Arbitrary<T>>) => fc.record(Object.fromEntries(Object.entries(arbs).map(([k, a]) => [k, rarely(a, 6)])));
  return some({
    authorization: fc.oneof(
      fc.constantFrom('Bearer spk_nope', 'Bearer ', 'Bearer spd_nope', `Bearer spd_${'x'.repeat(200)}`, 'Basic !!!', `Basic ${b64('a:b')}`, `Basic ${b64('%zz:%zz')}`, `Basic ${b64('no-colon')}`, 'Digest x', 'bearer SPK_X'),
      shortHostileString.map((s) => `Bearer ${s}`),
      shortHostileString,
    ),
    cookie: fc.oneof(fc.constantFrom('scanpass_session=nope', 'scanpass_session=', '=;;;', 'scanpass_session=%zz', 'scanpass_session="x'), shortHostileString.map((s) => `scanpass_session=${s}`), shortHostileString),
    'x-csrf-token': fc.oneof(shortHostileString, ...(csrf.length ? [fc.constantFrom(...csrf)] : [])),
    'x-forwarded-for': fc.oneof(fc.constantFrom('1.2.3.4, 5.6.7.8', '::1', 'unknown', '300.1.1.1', ''), shortHostileString),
    'last-event-id': fc.oneof(fc.constantFrom(...NUMBERISH_STRINGS), shortHostileString),
    accept: fc.oneof(fc.constantFrom('text/event-stream', 'application/json', 'image/png', '*/*', 'text/html'), shortHostileString),
    origin: fc.oneof(fc.constantFrom('https://evil.example', 'null'), shortHostileString),
    'user-agent': shortHostileString,
    'x-request-id': shortHostileString,
    'accept-language': fc.oneof(fc.constantFrom('zh-CN', 'en', '*', 'zh-CN;q=x'), shortHostileString),
    'content-encoding': fc.constantFrom('gzip', 'br', 'deflate', 'identity', 'junk'),
  }).map((h) => Object.fromEntries(Object.entries(h).flatMap(([k, v]) => (v === undefined ? [] : [[k, headerSafe(v as string)]]))));
}

const csvText = (values: SchemaValues) =>
  fc
    .tuple(
      fc.oneof(
        { weight: 4, arbitrary: fc.constantFrom('name,email,sessions', 'name;email;sessions', 'name\temail', '\ufeffname,email') },
        { weight: 1, arbitrary: fc.constantFrom('email', '', 'name,name', '"name,email') },
        { weight: 1, arbitrary: hostileString },
      ),
      fc.array(
        fc.array(fc.oneof(hostileString, fc.emailAddress(), fc.constantFrom(...values.real('sessions'), '"quoted ""x"""', 'a;b', '"line\nbreak"', '=cmd()'), fc.constant('')), { maxLength: 4 }),
        { maxLength: 6 },
      ),
      fc.constantFrom('\n', '\r\n'),
    )
    .map(([head, rows, eol]) => [head, ...rows.map((r) => r.join(','))].join(eol));

const formText = (fields: fc.Arbitrary<[string, string][]>) => fields.map((kvs) => kvs.map(([k, v]) => `${pct(k)}=${pct(v)}`).join('&'));

/** A request to `op` with every part drawn from valid, real and hostile values. */
export function requestArb(op: Operation, values: SchemaValues): fc.Arbitrary<FuzzRequest> {
  const pathParams = op.params.filter((p) => p.in === 'path');
  const queryParams = op.params.filter((p) => p.in === 'query');
  // `{id}` after `/events/` is an event id: the segment before a parameter names its kind.
  const kindOf = (name: string) => op.path.match(new RegExp(`/([^/]+)/\\{${name}\\}`))?.[1] ?? name;
  const pathArb = fc.tuple(
    ...pathParams.map((p) => {
      const real = [...values.real(kindOf(p.name)), ...values.real(p.name)];
      return fc.oneof(
        ...(real.length ? [{ weight: 6, arbitrary: fc.constantFrom(...real).map((v) => pct(v)) }] : []),
        { weight: 2, arbitrary: values.textValue(p.schema, p.name).map((v) => pct(v)) },
        { weight: 1, arbitrary: hostileString.map((v) => pct(v, true)) },
      );
    }),
  );
  const queryArb = fc
    .tuple(
      fc.tuple(
        ...queryParams.map((p) =>
          // Left out, given once, or (now and then) given twice.
          fc
            .oneof(
              { weight: 2, arbitrary: fc.constant([] as string[]) },
              { weight: 5, arbitrary: values.textValue(p.schema, p.name).map((v) => [v]) },
              { weight: 1, arbitrary: fc.array(values.textValue(p.schema, p.name), { minLength: 2, maxLength: 2 }) },
            )
            .map((vs) => vs.map((v) => [p.name, v] as const)),
        ),
      ),
      rarely(fc.tuple(fc.oneof(fc.constantFrom(...SPECIAL_KEYS), fc.string({ maxLength: 6 })), hostileString), 6),
    )
    .map(([pairs, extra]) => {
      const all = pairs.flat();
      if (extra) all.push(extra);
      return all.length ? `?${all.map(([k, v]) => `${pct(k)}=${pct(v)}`).join('&')}` : '';
    });

  const schema = op.body?.schema ?? {};
  const fieldNames = Object.keys(values.resolve(schema).properties ?? {});
  const formFields = fc.array(fc.tuple(fc.oneof(fc.constantFrom(...fieldNames, ...SPECIAL_KEYS), fc.string({ maxLength: 6 })), fc.oneof(hostileString, ...(values.real('form').length ? [fc.constantFrom(...values.real('form'))] : []))), {
    maxLength: 6,
  });
  const validForm = fc
    .tuple(
      ...fieldNames.map((name) => {
        const field = values.resolve(schema).properties![name]!;
        // Mostly valid fields, so the form reaches the client and grant checks; sometimes left out.
        const value = fc.oneof({ weight: 3, arbitrary: values.validText(field, name) }, { weight: 1, arbitrary: values.textValue(field, name) });
        return fc.oneof({ weight: 5, arbitrary: value }, { weight: 1, arbitrary: fc.constant(undefined) }).map((v) => [name, v] as const);
      }),
    )
    .map((kvs) => kvs.filter((kv): kv is [string, string] => kv[1] !== undefined));
  type Body = { type?: string; body?: string };
  const json = (weight: number, arbitrary: fc.Arbitrary<string>) => ({ weight, arbitrary: arbitrary.map((body): Body => ({ type: 'application/json', body })) });
  const takesForm = op.body?.types.includes('application/x-www-form-urlencoded') ?? false;
  const bodyArb: fc.Arbitrary<Body> = ['GET', 'HEAD'].includes(op.method)
    ? fc.constant({})
    : fc.oneof(
        ...(op.body && !takesForm ? [json(10, values.mixedObject(schema))] : []),
        ...(takesForm ? [{ weight: 10, arbitrary: formText(fc.oneof({ weight: 3, arbitrary: validForm }, { weight: 1, arbitrary: formFields })).map((body): Body => ({ type: 'application/x-www-form-urlencoded', body })) }] : []),
        ...(op.csv ? [{ weight: 10, arbitrary: csvText(values).map((body): Body => ({ type: 'text/csv', body })) }] : []),
        json(1, hostileJson),
        json(1, malformedJson),
        { weight: 1, arbitrary: formText(formFields).map((body): Body => ({ type: 'application/x-www-form-urlencoded', body })) },
        { weight: 1, arbitrary: csvText(values).map((body): Body => ({ type: 'text/csv', body })) },
        { weight: op.body || op.csv ? 1 : 6, arbitrary: fc.constant<Body>({}) },
      );

  return fc
    .record({
      as: identityArb,
      path: pathArb,
      query: queryArb,
      body: bodyArb,
      contentType: rarely(fc.oneof(fc.constantFrom(...CONTENT_TYPES), shortHostileString.map(headerSafe)), 8),
      headers: rarely(headerArb(values), 3),
    })
    .map(({ as, path, query, body, contentType, headers }) => {
      let i = 0;
      const filled = op.path.replace(/\{[^}]+\}/g, () => path[i++] ?? '');
      const h: Record<string, string> = { ...headers };
      const type = contentType ?? body.type;
      if (type !== undefined && (body.body !== undefined || contentType !== undefined)) h['content-type'] = type;
      const req: FuzzRequest = { as, method: op.method, url: `${filled}${query}`, headers: h, ...(body.body !== undefined ? { body: body.body } : {}) };
      return Object.assign(req, { [fc.toStringMethod]: () => describeRequest(req) });
    });
}

/** Long runs of one character shortened, so a counterexample with a 70 kB string still reads. */
export const squeeze = (s: string) => s.replace(/(.)\1{40,}/gsu, (run, ch: string) => `${ch.repeat(8)}…(${[...run].length}×)`);

/** How a counterexample prints: the request as it went on the wire, long runs shortened. */
export function describeRequest(req: FuzzRequest): string {
  return squeeze(`${req.method} ${req.url} as ${req.as}; headers ${JSON.stringify(req.headers)}; body ${req.body === undefined ? '(none)' : JSON.stringify(req.body)}`);
}

/** The request's headers with the identity's credentials under the fuzzed ones. */
export function withIdentity(req: FuzzRequest, c: Credentials): Record<string, string> {
  const id: Record<Identity, Record<string, string>> = {
    anonymous: {},
    'admin-cookie': { cookie: c.admin.cookie, 'x-csrf-token': c.admin.csrf },
    'admin-cookie-without-csrf': { cookie: c.admin.cookie },
    'admin-api-key': { authorization: `Bearer ${c.adminKey}` },
    'staff-cookie': { cookie: c.staff.cookie, 'x-csrf-token': c.staff.csrf },
    'device-token': { authorization: `Bearer ${c.deviceToken}` },
    'unknown-api-key': { authorization: 'Bearer spk_0000000000000000000000' },
  };
  return { ...id[req.as], ...req.headers };
}

export interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
  /** An event stream or a long-poll that was still open when we stopped waiting: not an error. */
  held?: boolean;
}

/**
 * Sends a request without a client that normalises or refuses odd paths and
 * headers, on a connection of its own: a reused keep-alive socket the server
 * closed after the last answer would show as a hang-up that is not the server's fault.
 */
export function send(baseUrl: string, req: { method: string; url: string; headers: Record<string, string>; body?: string }, holdMs = 1500): Promise<Answer> {
  const u = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const body = req.body === undefined ? undefined : Buffer.from(req.body, 'utf8');
    const r = http.request(
      { host: u.hostname, port: u.port, method: req.method, path: req.url, agent: false, headers: { ...req.headers, ...(body ? { 'content-length': String(body.length) } : {}) } },
      (res) => {
        const chunks: Buffer[] = [];
        const streaming = /text\/event-stream/.test(res.headers['content-type'] ?? '');
        const stop = setTimeout(() => {
          res.destroy();
          resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks).toString(), held: true });
        }, streaming ? 300 : 20_000);
        res.on('data', (c: Buffer) => {
          chunks.push(c);
          // An event stream is answered once its first event is complete.
          if (streaming && /\ndata: [^\n]*\n\n/.test(Buffer.concat(chunks).toString())) {
            clearTimeout(stop);
            res.destroy();
            resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks).toString(), held: true });
          }
        });
        res.on('end', () => {
          clearTimeout(stop);
          resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks).toString() });
        });
        res.on('error', () => {});
      },
    );
    // A long-poll may hold for its `wait`; anything else must answer.
    const held = /^\/v1\/live\/(poll|sse)/.test(req.url);
    r.setTimeout(held ? holdMs : 20_000, () => {
      r.destroy();
      if (held) resolve({ status: 0, headers: {}, body: '', held: true });
      else reject(new Error(`no answer within 20 s to ${req.method} ${req.url}`));
    });
    r.on('error', (err) => reject(err));
    r.end(body);
  });
}
