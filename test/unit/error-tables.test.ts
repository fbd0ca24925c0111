/**
 * Each feature declares its error codes once, next to the feature; http/error-codes.ts
 * composes them. Statically: no code is declared twice (a later table would
 * silently change its status), and every code the source can raise is declared.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ERROR_STATUS, ERROR_TABLES } from '../../src/http/error-codes.js';
import { LIVE_ERRORS } from '../../src/live/protocol.js';

const SRC = fileURLToPath(new URL('../../src', import.meta.url));

function sources(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? sources(p) : e.name.endsWith('.ts') ? [p] : [];
  });
}

/** Codes written as literals where an error is made: `new AppError('x'`, `errorResponses('x', 'y')`, `code: 'x'` in the framework error maps. */
function raisedCodes(): Map<string, string> {
  const found = new Map<string, string>();
  for (const file of sources(SRC)) {
    const text = fs.readFileSync(file, 'utf8');
    const where = path.relative(SRC, file);
    for (const m of text.matchAll(/new AppError\(\s*'([a-z_]+)'/g)) found.set(m[1]!, where);
    for (const m of text.matchAll(/errorResponses\(([^)]*)\)/g)) for (const c of m[1]!.matchAll(/'([a-z_]+)'/g)) found.set(c[1]!, where);
  }
  for (const file of ['http/framework-errors.ts', 'http/error-handler.ts']) {
    const text = fs.readFileSync(path.join(SRC, file), 'utf8');
    for (const m of text.matchAll(/(?:code: |: )'([a-z_]+)'/g)) found.set(m[1]!, file);
  }
  return found;
}

describe('error tables', () => {
  it('declares each code in exactly one feature table', () => {
    const owners = new Map<string, string[]>();
    for (const [table, codes] of Object.entries(ERROR_TABLES)) for (const code of Object.keys(codes)) owners.set(code, [...(owners.get(code) ?? []), table]);
    expect([...owners].filter(([, tables]) => tables.length > 1)).toEqual([]);
    expect(Object.keys(ERROR_STATUS).sort()).toEqual([...owners.keys()].sort());
  });

  it('declares every code the server raises or documents, with a 4xx or 5xx status', () => {
    const raised = raisedCodes();
    expect(raised.size).toBeGreaterThan(30); // the scan found the throw sites
    const undeclared = [...raised].filter(([code]) => !(code in ERROR_STATUS)).map(([code, file]) => `${code} (${file})`);
    expect(undeclared).toEqual([]);
    for (const status of Object.values(ERROR_STATUS)) expect(status).toBeGreaterThanOrEqual(400);
  });

  it('gives every live protocol code an HTTP status, for SSE, long-poll and refused upgrades', () => {
    expect(Object.keys(LIVE_ERRORS).filter((code) => !(code in ERROR_STATUS))).toEqual([]);
  });

  it('keeps codes stable snake_case', () => {
    expect(Object.keys(ERROR_STATUS).filter((c) => !/^[a-z]+(_[a-z]+)*$/.test(c))).toEqual([]);
  });
});
