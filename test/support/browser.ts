import fs from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type BrowserContextOptions, type Page } from 'playwright-core';
import { WEB_ROOT } from '../../src/http/web-pages.js';
import { available, CHROMIUM_PATH } from './env.js';

/**
 * Real-browser support for the e2e suites: Debian's Chromium driven by
 * playwright-core. A browser is never downloaded; without one the suites skip
 * (and fail in CI when SCANPASS_TEST_REQUIRE includes `chromium`).
 */

const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** For `describe.skipIf(!hasChromium())`. */
export function hasChromium(): boolean {
  return available('chromium', fs.existsSync(CHROMIUM_PATH));
}

/** `extraArgs` go after the usual ones (e.g. a fake camera: `--use-file-for-fake-video-capture=...`). */
export async function launchChromium(opts: { extraArgs?: readonly string[] } = {}): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: [...CHROMIUM_ARGS, ...(opts.extraArgs ?? [])], headless: true });
}

/** A fresh, cookie-less browser profile; `locale` sets navigator.language and Accept-Language. */
export async function newContext(browser: Browser, baseURL: string, options: BrowserContextOptions = {}): Promise<BrowserContext> {
  const context = await browser.newContext({ baseURL, locale: 'en-US', viewport: { width: 420, height: 820 }, ...options });
  context.setDefaultTimeout(10_000);
  context.setDefaultNavigationTimeout(15_000);
  return context;
}

/** Fails with a clear message when `vite build` has not produced `page` (npm test builds in pretest). */
export function requirePage(page: string): void {
  if (!fs.existsSync(path.join(WEB_ROOT, page))) {
    throw new Error(`the web pages are not built (${WEB_ROOT}); run \`npx vite build\` (npm test does it in pretest)`);
  }
}

/**
 * Collects every Content-Security-Policy violation (`securitypolicyviolation`)
 * on the context's pages, so a suite can assert that the pages run under the
 * server's policy without needing anything it forbids. Call before opening
 * pages; `into` lets several profiles share one list.
 */
export async function recordCspViolations(context: BrowserContext, into: string[] = []): Promise<string[]> {
  const seen = into;
  await context.exposeBinding('__scanpassCspViolation', (_source, text: string) => void seen.push(text));
  await context.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => {
      const report = (window as unknown as { __scanpassCspViolation: (t: string) => void }).__scanpassCspViolation;
      void report(`${e.effectiveDirective} blocked ${e.blockedURI || 'inline'} in ${location.pathname} (${e.sourceFile}:${e.lineNumber})`);
    });
  });
  return seen;
}

/** Set SCANPASS_TEST_SCREENSHOTS to a folder to keep full-page screenshots of what the e2e suites show people. */
export async function screenshot(page: Page, name: string): Promise<void> {
  const dir = process.env.SCANPASS_TEST_SCREENSHOTS;
  if (dir) await page.screenshot({ path: path.join(dir, `${name}.png`), fullPage: true });
}
