import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, defineConfig, type LogLevel, type Plugin } from 'vite';

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

/**
 * What pages share (the head's basics, the top bar, the scanner's controls)
 * lives once in `web/partials/`; a page names it with `<!-- partial:NAME -->`,
 * and the partial takes that line's indentation. Runs before Vite reads the
 * HTML, so the partials' links and images are bundled as usual.
 */
function sharedPartials(): Plugin {
  const partial = (name: string, indent: string) => {
    const lines = fs.readFileSync(path.join(root, 'partials', `${name}.html`), 'utf8').trimEnd().split('\n');
    const common = Math.min(...lines.filter((l) => l.trim()).map((l) => l.length - l.trimStart().length));
    return lines.map((l) => (l.trim() ? indent + l.slice(common) : '')).join('\n');
  };
  return {
    name: 'scanpass-partials',
    transformIndexHtml: {
      order: 'pre',
      handler: (html) => html.replace(/^([ \t]*)<!-- partial:([a-z-]+) -->$/gm, (_m, indent: string, name: string) => partial(name, indent)),
    },
  };
}

/**
 * The `<scanpass-login>` element and the SDK, each one self-contained ES module
 * with a stable name under `dist/web/sdk/`, for other sites to load from us
 * (served at /sdk/scanpass-login.js and /sdk/scanpass.js). Its own build, so it never shares a
 * hashed chunk with the pages.
 */
function loginElementBundle(): Plugin {
  let logLevel: LogLevel = 'info';
  return {
    name: 'scanpass-login-element',
    apply: 'build',
    configResolved: (c) => void (logLevel = c.logLevel ?? 'info'),
    async closeBundle() {
      // The element, and the bare SDK (`subscribe`, `createLiveClient`) for sites that draw their own UI.
      const bundles = [
        ['./client/element.ts', 'scanpass-login.js'],
        ['./client/index.ts', 'scanpass.js'],
      ] as const;
      for (const [i, [entry, file]] of bundles.entries()) {
        await build({
          configFile: false,
          logLevel,
          publicDir: false,
          build: {
            outDir: path.join(outDir, 'sdk'),
            emptyOutDir: i === 0,
            sourcemap: false,
            lib: { entry: fileURLToPath(new URL(entry, import.meta.url)), formats: ['es'], fileName: () => file },
          },
        });
      }
    },
  };
}

/**
 * Service workers (`web/*-sw.js`), copied as they are to `dist/web/` under
 * their own, unhashed names: a worker's URL must stay the same for the
 * browser to update it in place, and its path bounds its scope (served at
 * `/<name>` by src/http/web-pages.ts).
 */
function serviceWorkers(): Plugin {
  return {
    name: 'scanpass-service-workers',
    apply: 'build',
    generateBundle() {
      for (const file of fs.readdirSync(root).filter((f) => f.endsWith('-sw.js'))) {
        this.emitFile({ type: 'asset', fileName: file, source: fs.readFileSync(path.join(root, file), 'utf8') });
      }
    },
  };
}

export default defineConfig({
  plugins: [sharedPartials(), loginElementBundle(), serviceWorkers()],
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
