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
  /** Nodes that single tests asked for (`ownNode`), closed with the rest. */
  const ownNodes: Node[] = [];
  const started = () => {
    if (!node || !browser) throw new Error('the admin console suite has not started (use it inside a test or hook)');
    return { node, browser };
  };

  beforeAll(async () => {
    requirePage('admin.html');
    [node, browser] = await Promise.all([startTestNode(), launchChromium()]);
    await addAccount(node);
  });

  afterAll(async () => {
    await Promise.allSettled(contexts.map((c) => c.close()));
    await Promise.allSettled([browser?.close(), node?.close(), ...ownNodes.map((n) => n.close())]);
  });

  async function addAccount(n: Node): Promise<void> {
    const admin = await signIn(n.url);
    const res = await fetch(`${n.url}/api/v1/users`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie: admin.cookie, 'x-csrf-token': admin.csrf },
      body: JSON.stringify(account),
    });
    expect(res.status).toBe(201);
  }

  return {
    get node(): Node {
      return started().node;
    },
    /**
     * A node of the calling test's own, set up like the shared one (with the
     * account added): for a test that needs the console as a new installation
     * shows it, whatever the suite's other tests registered on the shared node.
     */
    async ownNode(): Promise<Node> {
      started();
      const n = await startTestNode();
      ownNodes.push(n);
      await addAccount(n);
      return n;
    },
    /**
     * A browser profile on the node (or on `on`, a node from `ownNode`), its requests to any other host refused;
     * signed in as `user` when given (its request client shares the cookie jar).
     */
    async profile(options: BrowserContextOptions, user?: { email: string; password: string }, on?: Node): Promise<BrowserContext> {
      const s = started();
      const context = await newContext(s.browser, (on ?? s.node).url, options);
      contexts.push(context);
      await context.route((u) => u.hostname !== '127.0.0.1', (route) => route.abort('blockedbyclient'));
      if (user) expect((await context.request.post('/api/v1/session', { data: user })).status()).toBe(200);
      return context;
    },
  };
}
