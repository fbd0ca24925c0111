/**
 * What the phases of `npm run bench:login` share: the progress line, the
 * clock, bounded concurrency, percentiles, and signing in to the bench server.
 */

export const log = (line: string) => process.stdout.write(`[bench:login ${new Date().toISOString().slice(11, 19)}] ${line}\n`);
export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** One clock for both ends of every measurement: screens, browsers, phones and the app all live in this process. */
export const now = () => performance.now();

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

/** Runs `fn` over `items` with at most `n` at once. */
export async function pool<T>(items: T[], n: number, fn: (item: T, i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: n }, async () => {
    while (next < items.length) {
      const i = next++;
      await fn(items[i]!, i);
    }
  }));
}

export async function json(res: Response): Promise<Record<string, unknown>> {
  const body = (await res.json()) as Record<string, unknown>;
  if (!res.ok && !('error' in body)) throw new Error(`HTTP ${res.status}`);
  return body;
}

/** A signed-in browser or phone: its session cookie and CSRF token. */
export interface Session {
  cookie: string;
  csrf: string;
}

export async function signIn(url: string, who: { email: string; password: string }): Promise<Session> {
  const res = await fetch(`${url}/api/v1/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(who) });
  const body = await json(res);
  if (!res.ok) throw new Error(`sign-in of ${who.email} failed: ${JSON.stringify(body)}`);
  return { cookie: res.headers.getSetCookie().map((c) => c.split(';')[0]).join('; '), csrf: body.csrf_token as string };
}

/** A call as a signed-in account (cookie + CSRF token), JSON in and out. */
export async function api(url: string, s: Session, method: string, path: string, body?: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${url}${path}`, {
    method,
    headers: { cookie: s.cookie, 'x-csrf-token': s.csrf, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.status, body: await json(res) };
}
