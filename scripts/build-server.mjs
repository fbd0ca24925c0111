/**
 * `npm run build` (after the type check): the server as one ES module bundle,
 * `dist/server/main.js` and the chunks it loads later, with esbuild.
 *
 * Why a bundle: a node that loads its ~1,300 ESM files one by one spends
 * about half its start resolving and compiling them, and keeps every file's
 * source and module record on the heap (issue 13: bench:start). A bundle is
 * one file, tree-shaken and without whitespace.
 *
 * What stays outside, loaded from node_modules as before:
 * - native addons (better-sqlite3, argon2) and packages that read their own
 *   files at run time (the OpenAPI UI's static files);
 * - packages the server imports only when a request first needs them, so that
 *   a node that never sends a mail or a push never loads them (see the
 *   `import()` calls in src/).
 *
 * Identifiers are kept, so a stack trace in the log names real functions;
 * `node --enable-source-maps dist/server/main.js` maps it to src/ lines.
 */
import { build } from 'esbuild';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

const NATIVE_OR_OWN_FILES = ['better-sqlite3', 'better-sqlite3-napi', '@node-rs/argon2', '@fastify/swagger-ui'];
const LOADED_ON_FIRST_USE = ['pg', 'ioredis', 'qrcode', 'csv-parse', 'csv-stringify', 'maxmind', 'nodemailer', 'web-push'];

// Chunk names carry a hash: a stale chunk from an earlier build would stay beside the new ones.
fs.rmSync(path.join(ROOT, 'dist/server'), { recursive: true, force: true });

const result = await build({
  absWorkingDir: ROOT,
  entryPoints: ['src/main.ts'],
  outdir: 'dist/server',
  bundle: true,
  splitting: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  external: [...NATIVE_OR_OWN_FILES, ...LOADED_ON_FIRST_USE],
  // CommonJS packages inside an ES module bundle still call require() for Node's built-ins.
  banner: { js: "import { createRequire as __bundleRequire } from 'node:module';\nconst require = __bundleRequire(import.meta.url);" },
  minifyWhitespace: true,
  minifySyntax: true,
  // Non-ASCII in the source would make V8 hold the whole bundle as a two-byte string.
  charset: 'ascii',
  legalComments: 'linked',
  sourcemap: 'linked',
  sourcesContent: false,
  metafile: true,
  logLevel: 'warning',
});

// Kept ASCII on purpose (see `charset`); a regular expression with a literal non-ASCII character is the one thing esbuild cannot escape.
for (const file of Object.keys(result.metafile.outputs).filter((f) => f.endsWith('.js'))) {
  const bytes = fs.readFileSync(path.join(ROOT, file));
  const at = bytes.findIndex((b) => b > 0x7f);
  if (at >= 0) throw new Error(`${file} holds a non-ASCII character (write it as \\uXXXX in src/): ...${bytes.subarray(Math.max(0, at - 60), at + 20).toString()}...`);
}

const bytes = Object.entries(result.metafile.outputs)
  .filter(([file]) => file.endsWith('.js'))
  .reduce((sum, [, out]) => sum + out.bytes, 0);
console.log(`server bundle: dist/server/main.js, ${Object.keys(result.metafile.inputs).length} modules in ${(bytes / 1024 / 1024).toFixed(2)} MB of JavaScript`);
