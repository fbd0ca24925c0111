import type { LiveState } from './types.js';

/** Errors after which retrying the same channel and token cannot succeed. */
export const TERMINAL_CODES: ReadonlySet<string> = new Set(['invalid_token', 'token_expired', 'unknown_channel', 'invalid_request']);

/** Reads `{channel, version, type, data}`; null for anything else. */
export function parseState(value: unknown): LiveState | null {
  if (typeof value !== 'object' || value === null) return null;
  const v = value as Record<string, unknown>;
  if (typeof v.channel !== 'string' || typeof v.version !== 'number' || !Number.isSafeInteger(v.version)) return null;
  return { channel: v.channel, version: v.version, type: typeof v.type === 'string' ? v.type : '', data: v.data };
}

/** `http(s)://host/base` + path, with query parameters. */
export function httpUrl(base: string, path: string, query: Record<string, string | number>): string {
  const url = new URL(path.replace(/^\//, ''), base.endsWith('/') ? base : `${base}/`);
  for (const [k, v] of Object.entries(query)) url.searchParams.set(k, String(v));
  return url.toString();
}

/** The WebSocket URL of the live endpoint for a server base URL. */
export function wsUrl(base: string): string {
  const url = new URL('v1/live', base.endsWith('/') ? base : `${base}/`);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  return url.toString();
}

/** The `{error, message}` body of a refused HTTP request, if it has one. */
export async function readErrorBody(res: Response): Promise<{ code: string; message: string } | null> {
  try {
    const body = (await res.json()) as { error?: unknown; message?: unknown };
    if (typeof body.error !== 'string') return null;
    return { code: body.error, message: typeof body.message === 'string' ? body.message : body.error };
  } catch {
    return null;
  }
}
