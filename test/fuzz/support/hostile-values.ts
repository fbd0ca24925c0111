import fc from 'fast-check';

/**
 * Values of every JSON type that have broken servers before, as JSON *text*
 * (so numbers the JSON grammar allows but JavaScript cannot hold, such as
 * `1e400` or `-0`, reach the server as written), plus the same as plain
 * strings for query strings, path segments, headers and form fields.
 */

/** Number literals: each valid JSON, several not representable as a safe integer or a finite double. */
export const NUMBER_TEXTS = [
  '0', '-0', '1', '-1', '0.5', '-0.0', '1.0', '1e400', '-1e400', '1e-400', '1e30', '2147483648', '4294967296',
  '9007199254740993', '9223372036854775807', '9223372036854775808', '-9223372036854775809', '123456789012345678901234567890', '8640000000000001',
];

/** Texts that look like numbers or keywords to a lenient parser. */
export const NUMBERISH_STRINGS = ['Infinity', '-Infinity', 'NaN', '-0', '1e400', '0x10', ' 5', '5 ', '1_000', '+1', '.5', '00', '1e30', 'true', 'null', 'undefined', '[]', '{}', ''];

/** Property names that name something on Object.prototype or that JavaScript treats specially. */
export const SPECIAL_KEYS = ['__proto__', 'constructor', 'prototype', 'toString', 'valueOf', 'hasOwnProperty', 'toJSON', 'then', 'length', '0', ''];

const HUGE = ['x'.repeat(70_000), '\u{1F600}'.repeat(20_000), 'é'.repeat(5000)];

/** Strings: unicode, control characters, lone surrogates, path tricks; huge ones (past the body limit) in `hostileString` only. */
export const shortHostileString: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.string({ maxLength: 24 }) },
  { weight: 3, arbitrary: fc.string({ unit: 'grapheme', maxLength: 24 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 24 }) },
  { weight: 2, arbitrary: fc.constantFrom(...NUMBERISH_STRINGS, ...SPECIAL_KEYS) },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      '\u0000', '\r\n', '\t', '\u2028', '\ud800', '\udfff', '\ufeff', '%', '%00', '%zz', '../..', '..%2f', '/', '\\', "'; drop table users; --",
      '<script>alert(1)</script>', 'a@b', 'spk_', 'spk_x', 'Bearer', 'BCDF-GHJK', 'BCDFGHJK', 'sp1.x', '{"op":"sub"}', 'a'.repeat(65), 'a'.repeat(129), 'a'.repeat(255),
    ),
  },
);

export const hostileString: fc.Arbitrary<string> = fc.oneof({ weight: 14, arbitrary: shortHostileString }, { weight: 1, arbitrary: fc.constantFrom(...HUGE) });

/** A JSON text of any type, nested a few levels, objects often with special keys. */
export const hostileJson: fc.Arbitrary<string> = fc.letrec<{ value: string }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    { weight: 3, arbitrary: hostileString.map((s) => JSON.stringify(s)) },
    { weight: 3, arbitrary: fc.oneof(fc.constantFrom(...NUMBER_TEXTS), fc.integer().map(String), fc.double({ noNaN: true, noDefaultInfinity: true }).map((d) => JSON.stringify(d))) },
    { weight: 1, arbitrary: fc.constantFrom('true', 'false', 'null') },
    { weight: 1, arbitrary: fc.array(tie('value'), { maxLength: 4 }).map((xs) => `[${xs.join(',')}]`) },
    {
      weight: 2,
      arbitrary: fc
        .array(fc.tuple(fc.oneof(fc.constantFrom(...SPECIAL_KEYS), fc.string({ maxLength: 8 })), tie('value')), { maxLength: 4 })
        .map((kvs) => `{${kvs.map(([k, v]) => `${JSON.stringify(k)}:${v}`).join(',')}}`),
    },
  ),
})).value;

/** Bodies that are not JSON at all, or only nearly. */
export const malformedJson = fc.constantFrom('', '{', '{"a":', '[', 'NaN', 'Infinity', '-', '{"a":1,"a":2}', "{'a':1}", '{"a":1}garbage', '\ufeff{}', 'nul', '{"__proto__":{"polluted":1}}', '{"constructor":{"prototype":{"polluted":1}}}');

/** A header value a client can send (HTTP allows tab, visible ASCII and latin-1 bytes). */
export const headerSafe = (s: string) => s.replace(/[^\t\x20-\x7e\x80-\xff]/g, '?').slice(0, 8000);

/** `arb` one time in `n`, otherwise undefined (fc.option's `freq` is the other way round: nil one time in `freq`). */
export const rarely = <T>(arb: fc.Arbitrary<T>, n: number): fc.Arbitrary<T | undefined> => fc.oneof({ weight: n - 1, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: arb });
