/**
 * Pages take the API's shapes from the server's TypeBox schemas as types only
 * (`import type`): their bundles must hold no TypeBox, no server module and
 * nothing of Node's. Built like the SDK bundle (sdk-bundle.test.ts), for the
 * pages that use the most shapes.
 */
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { bundleInMemory } from '../support/bundle.js';

const entry = (page: string) => fileURLToPath(new URL(`../../web/${page}.ts`, import.meta.url));

it('bundles the admin console, dashboard and device pages without TypeBox or server modules', async () => {
  const { code, modules } = await bundleInMemory({ admin: entry('admin'), dashboard: entry('dashboard'), device: entry('device') });
  expect(modules.some((m) => m.endsWith('web/lib/admin-events-api.ts'))).toBe(true);
  // src/live/protocol.ts is the one server module meant for browsers (the SDK's wire format).
  expect(modules.filter((m) => /node_modules\/(typebox|@fastify)|src\/(flows|auth|http|live)\//.test(m) && !m.endsWith('src/live/protocol.ts'))).toEqual([]);
  expect(code).not.toMatch(/from ['"]node:|require\(|new Function/);
}, 60_000);

it('bundles the queue pages (ticket, board, counter console) without TypeBox or server modules', async () => {
  const { code, modules } = await bundleInMemory({ queue: entry('queue'), board: entry('queue-board'), counter: entry('queue-counter') });
  expect(modules.some((m) => m.endsWith('web/lib/queue-api.ts'))).toBe(true);
  expect(modules.filter((m) => /node_modules\/(typebox|@fastify)|src\/(flows|auth|http|live)\//.test(m) && !m.endsWith('src/live/protocol.ts'))).toEqual([]);
  expect(code).not.toMatch(/from ['"]node:|require\(|new Function/);
}, 60_000);
