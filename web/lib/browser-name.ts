/**
 * The server's "Chrome on Windows" (src/domain/user-agent.ts describes a browser
 * that way) in the page's language, kept translatable across language switches.
 */
import { setText } from './i18n.js';

export function renderBrowserName(el: HTMLElement, browser: string): void {
  const m = /^(.+) on (.+)$/.exec(browser);
  if (m) setText(el, 'device.browserOn', { browser: m[1]!, os: m[2]! });
  else if (browser === 'unknown browser' || !browser) setText(el, 'device.unknownBrowser');
  else {
    delete el.dataset.i18n;
    delete el.dataset.i18nVars;
    el.textContent = browser;
  }
}
