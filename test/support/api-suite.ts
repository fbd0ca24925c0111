import { randomUUID } from 'node:crypto';
import { expect } from 'vitest';
import { available, TEST_DATABASE_URL } from './env.js';
import { createTestDatabase } from './postgres.js';
import type { startTestNode } from './test-node.js';

/**
 * What the API suites that drive a node through `app.inject` share: the
 * databases they run on, and signed-in accounts to call the API as.
 */

type Node = Awaited<ReturnType<typeof startTestNode>>;
/** A signed-in account: its cookie, CSRF token and user id. */
export type Session = { cookie: string; csrf: string; id: string };
/** What `app.inject` needs to call as someone. */
export type Auth = { headers: Record<string, string> };

/** For `describe.each`: SQLite always, Postgres (a fresh database per suite) when configured. */
export const dialects = [
  { name: 'sqlite', database: async () => ({ url: undefined as string | undefined, drop: async () => {} }) },
  ...(available('postgres', !!TEST_DATABASE_URL) ? [{ name: 'postgres', database: () => createTestDatabase(TEST_DATABASE_URL!) }] : []),
];

export const as = (s: Session): Auth => ({ headers: { cookie: s.cookie, 'x-csrf-token': s.csrf } });
export const bearer = (token: string): Auth => ({ headers: { authorization: `Bearer ${token}` } });

export async function signInByInject(node: Node, email: string, password: string): Promise<Session> {
  const res = await node.app.inject({ method: 'POST', url: '/api/v1/session', payload: { email, password } });
  expect(res.statusCode).toBe(200);
  const c = res.cookies.find((x) => x.name === 'scanpass_session')!;
  return { cookie: `scanpass_session=${c.value}`, csrf: res.json().csrf_token, id: res.json().user.id };
}

/** A new account with `role`, created by `admin` under a unique email, signed in. */
export async function createAccount(node: Node, admin: Session, name: string, role: string): Promise<Session> {
  const email = `${name.split(' ')[0]!.toLowerCase()}-${randomUUID().slice(0, 8)}@test.local`;
  const res = await node.app.inject({ method: 'POST', url: '/api/v1/users', ...as(admin), payload: { email, password: 'a long enough password', role, name } });
  expect(res.statusCode, res.body).toBe(201);
  return signInByInject(node, email, 'a long enough password');
}
