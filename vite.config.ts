import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

/**
 * The web pages: a plain multi-page build (no framework, no CDN, no external
 * fonts). `web/*.html` are the pages; everything they import lands in
 * `dist/web/assets/` with content-hashed names, which the server serves as
 * immutable (src/http/web-pages.ts).
 */
const root = fileURLToPath(new URL('./web', import.meta.url));
const outDir = fileURLToPath(new URL('./dist/web', import.meta.url));

// Every top-level page in web/ (index, signin, signout, and whatever is added later).
const pages = Object.fromEntries(
  fs
    .readdirSync(root)
    .filter((f) => f.endsWith('.html'))
    .sort()
    .map((f) => [f.slice(0, -'.html'.length), path.join(root, f)]),
);
for (const required of ['index', 'signin', 'signout']) {
  if (!pages[required]) throw new Error(`web/${required}.html is missing`);
}

export default defineConfig({
  root,
  base: '/',
  publicDir: false,
  appType: 'mpa',
  build: {
    outDir,
    emptyOutDir: true,
    assetsDir: 'assets',
    // Every browser we target supports modulepreload; no polyfill code needed.
    modulePreload: { polyfill: false },
    sourcemap: false,
    rolldownOptions: {
      input: pages,
      output: {
        entryFileNames: 'assets/[name]-[hash].js',
        chunkFileNames: 'assets/[name]-[hash].js',
        assetFileNames: 'assets/[name]-[hash][extname]',
      },
    },
  },
});
