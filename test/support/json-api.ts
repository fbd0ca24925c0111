import { expect } from 'vitest';

/** The cookie header and CSRF token of a signed-in user (what `signIn` returns). */
export type SignedIn = { cookie: string; csrf: string };

/**
 * Calls a node's JSON API over HTTP as `who` and expects `status`, with the
 * response text as the failure message; returns the parsed body.
 */
export async function callAs<T>(baseUrl: string, who: SignedIn, method: string, url: string, body?: unknown, status = 200): Promise<T> {
  const res = await fetch(`${baseUrl}${url}`, {
    method,
    headers: { cookie: who.cookie, 'x-csrf-token': who.csrf, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  expect(res.status, text).toBe(status);
  return JSON.parse(text) as T;
}
