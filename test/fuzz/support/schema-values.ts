import fc from 'fast-check';
import { hostileJson, hostileString, NUMBERISH_STRINGS, NUMBER_TEXTS, rarely } from './hostile-values.js';

/**
 * Values that satisfy a JSON schema from the OpenAPI document (so a request
 * gets past validation to the handler), mixed field by field with hostile
 * ones (so each check is tried on its own), and real ids of seeded rows.
 */

export type Schema = {
  $ref?: string;
  type?: string | string[];
  enum?: unknown[];
  const?: unknown;
  anyOf?: Schema[];
  oneOf?: Schema[];
  allOf?: Schema[];
  properties?: Record<string, Schema>;
  required?: string[];
  additionalProperties?: boolean | Schema;
  items?: Schema;
  minItems?: number;
  maxItems?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  minimum?: number;
  maximum?: number;
  format?: string;
};

/** Real values of seeded rows by field or parameter name (`event_id`, `user_code`, `events`...). */
export type Pool = Record<string, string[]>;

/** Times that come in pairs are mostly valid in order (a start before its end), so the rules past the pair are reached. */
const PAIRS = [
  ['starts_at', 'ends_at'],
  ['opens_at', 'closes_at'],
];

function inOrder(parts: [string, string][]): [string, string][] {
  const out = parts.map(([k, v]) => [k, v] as [string, string]);
  for (const [a, b] of PAIRS) {
    const i = out.findIndex(([k]) => k === a);
    const j = out.findIndex(([k]) => k === b);
    if (i < 0 || j < 0 || !/^\d+$/.test(out[i]![1]) || !/^\d+$/.test(out[j]![1])) continue;
    if (Number(out[i]![1]) > Number(out[j]![1])) [out[i]![1], out[j]![1]] = [out[j]![1], out[i]![1]];
  }
  return out;
}

export class SchemaValues {
  constructor(
    private readonly components: Record<string, Schema>,
    private readonly pool: Pool,
  ) {}

  resolve(s: Schema): Schema {
    let out = s;
    for (let i = 0; out.$ref && i < 10; i++) out = this.components[out.$ref.replace('#/components/schemas/', '')] ?? {};
    return out;
  }

  /** Real values for a field called `name` (by its singular and plural spelling). */
  real(name: string): string[] {
    const base = name.replace(/_ids?$/, '');
    return [...(this.pool[name] ?? []), ...(this.pool[base] ?? []), ...(this.pool[`${base}s`] ?? [])];
  }

  /** A value valid for `schema`, as JSON text. */
  validJson(schema: Schema, name = '', depth = 0): fc.Arbitrary<string> {
    const s = this.resolve(schema);
    if (s.const !== undefined) return fc.constant(JSON.stringify(s.const));
    if (s.enum) return fc.constantFrom(...s.enum.map((v) => JSON.stringify(v)));
    const alts = s.anyOf ?? s.oneOf;
    if (alts) return fc.oneof(...alts.map((a) => this.validJson(a, name, depth)));
    if (s.allOf?.length) return this.validJson(s.allOf[0]!, name, depth);
    const type = Array.isArray(s.type) ? s.type[0] : s.type;
    switch (type) {
      case 'string':
        return this.validString(s, name).map((v) => JSON.stringify(v));
      case 'integer':
      case 'number':
        return this.validNumber(s).map(String);
      case 'boolean':
        return fc.constantFrom('true', 'false');
      case 'null':
        return fc.constant('null');
      case 'array':
        return fc
          .array(s.items ? this.validJson(s.items, name, depth + 1) : hostileJson, { minLength: s.minItems ?? 0, maxLength: Math.min(s.maxItems ?? 4, 4) })
          .map((xs) => `[${xs.join(',')}]`);
      case 'object':
        return depth > 4 ? fc.constant('{}') : this.mixedObject(s, depth, 0);
      default:
        return hostileJson;
    }
  }

  /**
   * An object for `schema` whose fields are each valid (most of the time), a
   * hostile value of any type, or left out; sometimes with an extra key.
   * `hostileWeight` 0 gives a valid object.
   */
  mixedObject(schema: Schema, depth = 0, hostileWeight = 1): fc.Arbitrary<string> {
    const s = this.resolve(schema);
    const props = Object.entries(s.properties ?? {});
    const required = new Set(s.required ?? []);
    const fields = props.map(([key, sub]) => {
      const valid = this.validJson(sub, key, depth + 1);
      const value = hostileWeight ? fc.oneof({ weight: 5, arbitrary: valid }, { weight: hostileWeight, arbitrary: hostileJson }) : valid;
      // Optional fields come and go; a required one is left out now and then.
      const absent = fc.constant(undefined);
      // A required field is left out now and then, an optional one half the time.
      const present = required.has(key) ? fc.oneof({ weight: 19, arbitrary: value }, { weight: 1, arbitrary: absent }) : fc.oneof(value, absent);
      return present.map((v) => (v === undefined ? undefined : ([key, v] as [string, string])));
    });
    const extra = hostileWeight
      ? rarely(fc.tuple(fc.oneof(fc.constantFrom('__proto__', 'constructor', 'toString', 'valueOf', 'extra'), fc.string({ maxLength: 6 })), hostileJson), 6)
      : fc.constant(undefined);
    return fc.tuple(fc.tuple(...fields), extra).map(([fs, x]) => {
      const parts = inOrder(fs.filter((f): f is [string, string] => f !== undefined));
      if (x) parts.push(x);
      return `{${parts.map(([k, v]) => `${JSON.stringify(k)}:${v}`).join(',')}}`;
    });
  }

  /** A string valid for `schema`, or a real id when the field names one. */
  validString(s: Schema, name: string): fc.Arbitrary<string> {
    if (s.enum) return fc.constantFrom(...s.enum.map(String));
    const min = s.minLength ?? 0;
    const max = Math.min(s.maxLength ?? 40, 40);
    const made =
      s.pattern !== undefined
        ? fc.stringMatching(new RegExp(s.pattern)).filter((v) => v.length >= min && v.length <= (s.maxLength ?? Infinity))
        : s.format === 'uri' || /url/.test(name)
          ? fc.constantFrom('https://example.com/hook', 'http://127.0.0.1:9/x', 'https://example.com/cb')
          : /email/.test(name)
            ? fc.emailAddress()
            : fc.string({ minLength: min, maxLength: Math.max(min, max) });
    const real = this.real(name);
    // Mostly real ids; an e-mail address as often new (to create an account) as known (to sign in).
    return real.length ? fc.oneof({ weight: /email/.test(name) ? 1 : 3, arbitrary: fc.constantFrom(...real) }, { weight: 1, arbitrary: made }) : made;
  }

  validNumber(s: Schema): fc.Arbitrary<number> {
    const min = Math.max(s.minimum ?? -1_000_000, Number.MIN_SAFE_INTEGER);
    const max = Math.min(s.maximum ?? 1_000_000, Number.MAX_SAFE_INTEGER);
    // Millisecond times: around now, where the business rules are.
    const now = Date.now();
    if (max > 1e12 && min <= now) {
      return fc.oneof({ weight: 6, arbitrary: fc.integer({ min: now - 7_200_000, max: now + 7_200_000 }) }, { weight: 1, arbitrary: fc.integer({ min, max }) }, { weight: 1, arbitrary: fc.constantFrom(min, max) });
    }
    return fc.oneof({ weight: 4, arbitrary: fc.integer({ min, max: Math.min(max, min + 100) }) }, { weight: 1, arbitrary: fc.integer({ min, max }) }, { weight: 1, arbitrary: fc.constantFrom(min, max) });
  }

  /** A query, path or form value: valid as text, a number-ish text, a hostile string, or a real id. */
  textValue(schema: Schema, name: string): fc.Arbitrary<string> {
    return fc.oneof(
      { weight: 5, arbitrary: this.validText(schema, name) },
      { weight: 2, arbitrary: fc.constantFrom(...NUMBER_TEXTS, ...NUMBERISH_STRINGS) },
      { weight: 2, arbitrary: hostileString },
    );
  }

  /** A query, path or form value valid for `schema`, as text. */
  validText(schema: Schema, name: string): fc.Arbitrary<string> {
    const s = this.resolve(schema);
    const type = Array.isArray(s.type) ? s.type[0] : s.type;
    const alts = s.anyOf ?? s.oneOf;
    return alts
      ? fc.oneof(...alts.map((a) => this.validText(a, name)))
      : s.enum
        ? fc.constantFrom(...s.enum.map(String))
        : type === 'integer' || type === 'number'
          ? this.validNumber(s).map(String)
          : type === 'boolean'
            ? fc.constantFrom('true', 'false', '1', '0')
            : this.validString(s, name);
  }
}
