/**
 * The SDK shares the live protocol module with the server (src/live/protocol.ts):
 * its bundle must take only what it uses from it, never TypeBox (the server's
 * frame schemas and their compiler) or anything of Node's.
 */
import { fileURLToPath } from 'node:url';
import { build, type Rolldown } from 'vite';
import { expect, it } from 'vitest';

it('bundles the SDK without TypeBox, code generation or Node modules', async () => {
  const out = (await build({
    configFile: false,
    logLevel: 'silent',
    publicDir: false,
    build: {
      write: false,
      minify: false,
      lib: { entry: fileURLToPath(new URL('../../client/index.ts', import.meta.url)), formats: ['es'], fileName: () => 'scanpass.js' },
    },
  })) as Rolldown.RolldownOutput[] | Rolldown.RolldownOutput;
  const chunks = (Array.isArray(out) ? out : [out]).flatMap((o) => o.output).filter((c) => c.type === 'chunk');
  const code = chunks.map((c) => (c as { code: string }).code).join('\n');
  const modules = chunks.flatMap((c) => Object.keys((c as { modules: Record<string, unknown> }).modules));
  expect(modules.some((m) => m.endsWith('src/live/protocol.ts'))).toBe(true);
  expect(modules.filter((m) => /node_modules\/typebox|src\/live\/(protocol-schemas|frame-decoder)/.test(m))).toEqual([]);
  expect(code).not.toMatch(/from ['"]node:|require\(|new Function/);
  expect(code).toContain('access_revoked'); // the shared codes are in
}, 60_000);
