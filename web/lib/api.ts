/**
 * A tiny JSON client for the scanpass API, same origin, cookie session.
 * Errors come back as `ApiError` with the server's stable code
 * (`invalid_credentials`, `rate_limited`, ...) or `network_error` when the
 * server could not be reached. Writes carry the session's CSRF token.
 */

import type { MeView, SignedIn, UserView } from '../../src/auth/auth-schemas.js';

// The server's own types, imported as types only: no TypeBox reaches the page.
export type { Role } from '../../src/domain/roles.js';
export type User = UserView;
export type Me = MeView;
export type SessionOut = SignedIn;

export class ApiError extends Error {
  override name = 'ApiError';
  constructor(
    /** The server's stable error code, or `network_error`. */
    readonly code: string,
    message: string,
    /** HTTP status; 0 when no response arrived. */
    readonly status: number,
    /** From `Retry-After`, when the server sent one. */
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
  }
}

const SAFE_METHODS = new Set(['GET', 'HEAD']);
let csrfToken: string | undefined;

/** The token sent in `x-csrf-token` on writes; set from sign-in and GET /api/v1/me. */
function setCsrfToken(token: string | undefined): void {
  csrfToken = token;
}

/** The CSRF token for writes that cannot go through `api()` (a raw text/csv upload). */
export function getCsrfToken(): string | undefined {
  return csrfToken;
}

function codeForStatus(status: number): string {
  if (status === 401) return 'unauthorized';
  if (status === 403) return 'forbidden';
  if (status === 429) return 'rate_limited';
  if (status === 503) return 'unavailable';
  if (status >= 500) return 'internal_error';
  return 'unknown';
}

function retryAfter(res: Response): number | undefined {
  const raw = res.headers.get('retry-after');
  if (!raw) return undefined;
  const n = Number(raw);
  if (Number.isFinite(n) && n >= 0) return Math.ceil(n);
  const at = Date.parse(raw);
  return Number.isNaN(at) ? undefined : Math.max(0, Math.ceil((at - Date.now()) / 1000));
}

/** Calls the API and returns the parsed JSON body (undefined for 204). Throws ApiError. */
export async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (!SAFE_METHODS.has(method.toUpperCase()) && csrfToken) headers['x-csrf-token'] = csrfToken;

  let res: Response;
  try {
    res = await fetch(path, {
      method,
      headers,
      credentials: 'same-origin',
      cache: 'no-store',
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
  } catch (err) {
    throw new ApiError('network_error', err instanceof Error ? err.message : 'network error', 0);
  }

  let data: unknown;
  const text = res.status === 204 ? '' : await res.text().catch(() => '');
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      data = undefined;
    }
  }
  if (!res.ok) {
    const e = (data ?? {}) as { error?: unknown; message?: unknown };
    const code = typeof e.error === 'string' && e.error ? e.error : codeForStatus(res.status);
    const message = typeof e.message === 'string' ? e.message : `HTTP ${res.status}`;
    throw new ApiError(code, message, res.status, retryAfter(res));
  }
  return data as T;
}

/**
 * Calls the API as a provisioned device (`Authorization: Bearer <token>`,
 * no cookie) and returns the parsed JSON body. Throws ApiError.
 */
export async function deviceApi<T>(token: string, method: string, path: string, body?: unknown): Promise<T> {
  let res: Response;
  try {
    res = await fetch(path, {
      method,
      headers: { accept: 'application/json', authorization: `Bearer ${token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      credentials: 'omit',
      cache: 'no-store',
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
  } catch (err) {
    throw new ApiError('network_error', err instanceof Error ? err.message : 'network error', 0);
  }
  const data = (await res.json().catch(() => ({}))) as { error?: string; message?: string };
  if (!res.ok) throw new ApiError(data.error ?? (res.status === 401 ? 'unauthorized' : 'unknown'), data.message ?? `HTTP ${res.status}`, res.status);
  return data as T;
}

/** Who is signed in, or null. Remembers the CSRF token for later writes. */
export async function getMe(): Promise<Me | null> {
  try {
    const me = await api<Me>('GET', '/api/v1/me');
    setCsrfToken(me.csrf_token);
    return me;
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) {
      setCsrfToken(undefined);
      return null;
    }
    throw err;
  }
}

export async function signIn(email: string, password: string): Promise<SessionOut> {
  const out = await api<SessionOut>('POST', '/api/v1/session', { email, password });
  setCsrfToken(out.csrf_token);
  return out;
}

/** Signs this browser out (needs the CSRF token from getMe or signIn). */
export async function signOut(): Promise<void> {
  await api<void>('DELETE', '/api/v1/session');
  setCsrfToken(undefined);
}
