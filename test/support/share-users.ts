import { ADMIN, signIn } from './test-node.js';

/** A signed-in user of a real node, calling the JSON API with its cookie and CSRF token. */
export interface TestUser {
  id: string;
  name: string;
  email: string;
  password: string;
  call(method: string, path: string, body?: unknown): Promise<{ status: number; body: Record<string, unknown>; headers: Headers }>;
}

/** Creates `names.length` members through the admin API and signs each of them in. */
export async function createUsers(baseUrl: string, names: string[], prefix = 'u'): Promise<TestUser[]> {
  const admin = await signIn(baseUrl, ADMIN.email, ADMIN.password);
  const stamp = Date.now().toString(36);
  return Promise.all(
    names.map(async (name, i) => {
      const email = `${prefix}${i}-${stamp}@test.local`;
      const password = `password-${i}-long-enough`;
      const res = await fetch(`${baseUrl}/api/v1/users`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', cookie: admin.cookie, 'x-csrf-token': admin.csrf },
        body: JSON.stringify({ email, password, role: 'member', name }),
      });
      if (res.status !== 201) throw new Error(`creating ${email}: ${res.status} ${await res.text()}`);
      const { id } = (await res.json()) as { id: string };
      const session = await signIn(baseUrl, email, password);
      const call: TestUser['call'] = async (method, path, body) => {
        const headers: Record<string, string> = { cookie: session.cookie, 'x-csrf-token': session.csrf };
        if (body !== undefined) headers['content-type'] = 'application/json';
        const r = await fetch(`${baseUrl}${path}`, { method, headers, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
        const text = await r.text();
        return { status: r.status, body: text && r.headers.get('content-type')?.includes('json') ? (JSON.parse(text) as Record<string, unknown>) : { text }, headers: r.headers };
      };
      return { id, name, email, password, call };
    }),
  );
}
