/**
 * The SDK's side of the wire: the frames, codes and parsers come from the
 * protocol module the server uses too (src/live/protocol.ts); this file adds
 * only what a client needs to build URLs and read HTTP refusals.
 */
import { LIVE_WS_PATH } from '../src/live/protocol.js';

export { CLOSE, parseError, parseState, TERMINAL_CODES } from '../src/live/protocol.js';

/** `http(s)://host/base` + path, with query parameters. */
export function httpUrl(base: string, path: string, query: Record<string, string | number>): string {
  const url = new URL(path.replace(/^\//, ''), base.endsWith('/') ? base : `${base}/`);
  for (const [k, v] of Object.entries(query)) url.searchParams.set(k, String(v));
  return url.toString();
}

/** The WebSocket URL of the live endpoint for a server base URL. */
export function wsUrl(base: string): string {
  const url = new URL(LIVE_WS_PATH.slice(1), base.endsWith('/') ? base : `${base}/`);
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
