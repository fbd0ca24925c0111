import { httpUrl, parseState, readErrorBody } from '../protocol.js';
import type { Connection, FetchLike, Sink } from '../types.js';

export interface PollOptions {
  baseUrl: string;
  fetch: FetchLike;
  /** Seconds the server may hold each request (at most 30). */
  waitSeconds: number;
}

/**
 * Long-poll for places where neither WebSocket nor streaming gets through:
 * `200` is a newer state, `204` means nothing changed within `wait` seconds;
 * either way ask again with `after` = last version seen. The first request
 * does not wait, so the subscription is known to be open at once.
 */
export function connectPoll(opts: PollOptions, sink: Sink): Connection {
  let ended = false;
  let current: AbortController | null = null;
  const end = (why: Parameters<Sink['failed']>[0]) => {
    if (ended) return;
    ended = true;
    sink.failed(why);
  };

  void (async () => {
    let opened = false;
    let wait = 0;
    while (!ended) {
      const abort = new AbortController();
      current = abort;
      // A request held longer than the server promised is dead somewhere on the way.
      const timer = setTimeout(() => abort.abort(), (wait + 15) * 1000);
      try {
        const after = sink.version();
        const url = httpUrl(opts.baseUrl, '/v1/live/poll', { channel: sink.channel, token: sink.token, after, wait });
        const res = await opts.fetch(url, { headers: { accept: 'application/json' }, cache: 'no-store', signal: abort.signal });
        if (res.status === 200) {
          const state = parseState(await res.json());
          // A state that is not newer would make the next request answer at once, forever.
          if (!state || state.channel !== sink.channel || state.version <= after) return end({ reason: 'closed', opened });
          if (ended) return;
          if (!opened) sink.opened();
          opened = true;
          sink.state(state);
        } else if (res.status === 204) {
          await res.body?.cancel();
          if (ended) return;
          if (!opened) sink.opened();
          opened = true;
        } else {
          const err = await readErrorBody(res);
          return end(err ? { reason: 'refused', ...err } : { reason: 'closed', opened });
        }
      } catch {
        return end({ reason: 'closed', opened });
      } finally {
        clearTimeout(timer);
      }
      wait = opts.waitSeconds;
    }
  })();

  return {
    close() {
      ended = true;
      current?.abort();
    },
  };
}
