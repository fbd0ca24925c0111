/**
 * The SDK shares the live protocol module with the server (src/live/protocol.ts):
 * its bundle must take only what it uses from it, never TypeBox (the server's
 * frame schemas and their compiler) or anything of Node's.
 */
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { bundleInMemory } from '../support/bundle.js';

it('bundles the SDK without TypeBox, code generation or Node modules', async () => {
  const { code, modules } = await bundleInMemory(fileURLToPath(new URL('../../client/index.ts', import.meta.url)));
  expect(modules.some((m) => m.endsWith('src/live/protocol.ts'))).toBe(true);
  expect(modules.filter((m) => /node_modules\/typebox|src\/live\/(protocol-schemas|frame-decoder)/.test(m))).toEqual([]);
  expect(code).not.toMatch(/from ['"]node:|require\(|new Function/);
  expect(code).toContain('access_revoked'); // the shared codes are in
}, 60_000);
