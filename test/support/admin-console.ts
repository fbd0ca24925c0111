import type { Browser, BrowserContext, BrowserContextOptions } from 'playwright-core';
import { afterAll, beforeAll, expect } from 'vitest';
import { launchChromium, newContext, requirePage } from './browser.js';
import { signIn, startTestNode } from './test-node.js';

type Node = Awaited<ReturnType<typeof startTestNode>>;

/** A desktop-sized window: the console's wide layout. */
export const DESKTOP = { viewport: { width: 1200, height: 900 } };

/** What POST /api/v1/users takes. */
interface NewAccount {
  email: string;
  password: string;
  name: string;
  role: string;
}

/**
 * The set-up the admin console suites share; call it inside their `describe`.
 * Before all: a node whose admin adds `account`, and Chromium. After all: every
 * profile opened, the browser and the node closed.
 */
export function adminConsoleSuite(account: NewAccount) {
  let node: Node | undefined;
  let browser: Browser | undefined;
  const contexts: BrowserContext[] = [];
  const started = () => {
    if (!node || !browser) throw new Error('the admin console suite has not started (use it inside a test or hook)');
    return { node, browser };
  };

  beforeAll(async () => {
    requirePage('admin.html');
    [node, browser] = await Promise.all([startTestNode(), launchChromium()]);
    const admin = await signIn(node.url);
    const res = await fetch(`${node.url}/api/v1/users`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie: admin.cookie, 'x-csrf-token': admin.csrf },
      body: JSON.stringify(account),
    });
    expect(res.status).toBe(201);
  });

  afterAll(async () => {
    await Promise.allSettled(contexts.map((c) => c.close()));
    await Promise.allSettled([browser?.close(), node?.close()]);
  });

  return {
    get node(): Node {
      return started().node;
    },
    /**
     * A browser profile on the node, its requests to any other host refused;
     * signed in as `user` when given (its request client shares the cookie jar).
     */
    async profile(options: BrowserContextOptions, user?: { email: string; password: string }): Promise<BrowserContext> {
      const s = started();
      const context = await newContext(s.browser, s.node.url, options);
      contexts.push(context);
      await context.route((u) => u.hostname !== '127.0.0.1', (route) => route.abort('blockedbyclient'));
      if (user) expect((await context.request.post('/api/v1/session', { data: user })).status()).toBe(200);
      return context;
    },
  };
}
