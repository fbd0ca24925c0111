import { createParser } from 'eventsource-parser';
import { httpUrl, parseError, parseState, readErrorBody } from '../protocol.js';
import type { Connection, FetchLike, Sink } from '../types.js';

export interface SseOptions {
  baseUrl: string;
  fetch: FetchLike;
  /** Reopen a stream that has been silent this long; 0 = never. */
  idleTimeoutMs: number;
}

/**
 * Server-Sent Events read over fetch streaming (works in browsers and Node),
 * one stream per subscription, resuming with `after` = last version seen.
 * A refusal (`401 invalid_token`, `404 unknown_channel`, ...) is reported with its code.
 */
export function connectSse(opts: SseOptions, sink: Sink): Connection {
  const abort = new AbortController();
  let ended = false;
  let idle: ReturnType<typeof setTimeout> | null = null;
  const stopIdle = () => {
    if (idle) clearTimeout(idle);
    idle = null;
  };
  const armIdle = () => {
    stopIdle();
    if (opts.idleTimeoutMs > 0) idle = setTimeout(() => abort.abort(), opts.idleTimeoutMs);
  };
  const end = (why: Parameters<Sink['failed']>[0]) => {
    if (ended) return;
    ended = true;
    stopIdle();
    abort.abort();
    sink.failed(why);
  };

  void (async () => {
    let opened = false;
    try {
      armIdle();
      const url = httpUrl(opts.baseUrl, '/v1/live/sse', { channel: sink.channel, token: sink.token, after: sink.version() });
      const res = await opts.fetch(url, { headers: { accept: 'text/event-stream' }, cache: 'no-store', signal: abort.signal });
      const type = res.headers.get('content-type') ?? '';
      if (!res.ok || !res.body || !type.startsWith('text/event-stream')) {
        const err = res.ok ? null : await readErrorBody(res);
        return end(err ? { reason: 'refused', ...err } : { reason: 'closed', opened: false });
      }
      opened = true;
      if (ended) return;
      sink.opened();
      const parser = createParser({
        onEvent(msg) {
          let state;
          try {
            const value: unknown = JSON.parse(msg.data);
            // The server ended the subscription (token expired, right revoked) and says why before it closes.
            const error = msg.event === 'error' ? parseError(value) : null;
            if (error) return end({ reason: 'refused', code: error.code, message: error.message });
            state = parseState(value);
          } catch {
            return;
          }
          if (state && state.channel === sink.channel && !ended) sink.state(state);
        },
      });
      const reader = res.body.getReader();
      const decoder = new TextDecoder();
      for (;;) {
        const { value, done } = await reader.read();
        if (done || ended) break;
        armIdle();
        parser.feed(decoder.decode(value, { stream: true }));
      }
      end({ reason: 'closed', opened: true });
    } catch {
      end({ reason: 'closed', opened });
    }
  })();

  return {
    close() {
      ended = true;
      stopIdle();
      abort.abort();
    },
  };
}
