import type { ServerResponse } from 'node:http';
import { Type } from '@fastify/type-provider-typebox';
import { isAppError } from '../../domain/errors.js';
import type { App } from '../../http/types.js';
import { errorResponses } from '../../http/schemas.js';
import type { ChannelTokens } from '../channel-token.js';
import { statusOf } from '../../http/error-codes.js';
import type { LiveHub, Subscriber } from '../hub.js';

export const LiveQuery = Type.Object({
  channel: Type.String({ minLength: 3, maxLength: 200, description: 'e.g. login:<id>' }),
  token: Type.String({ minLength: 1, maxLength: 128, description: 'channel token from the API call that exposed the channel' }),
  after: Type.Optional(Type.Integer({ minimum: 0, description: 'only versions newer than this' })),
});

/** One open event stream; its headers go out with the first event, so refusals keep their status. */
class SseStream implements Subscriber {
  headed = false;
  constructor(
    readonly res: ServerResponse,
    private readonly maxBuffered: number,
  ) {}

  head(): void {
    if (this.headed) return;
    this.headed = true;
    this.res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      'x-accel-buffering': 'no', // tell nginx not to hold events back
    });
    this.res.write('retry: 2000\n\n');
  }

  send(version: number, frame: string): void {
    this.head();
    this.res.write(`id: ${version}\ndata: ${frame}\n\n`);
    if (this.res.writableLength > this.maxBuffered) this.res.destroy();
  }

  /**
   * The hub ended the subscription (token expired, right revoked): say why in
   * an `error` event, then end the stream. An EventSource that reconnects
   * with the same token is refused with the same code.
   */
  end(channel: string, code: string, message: string): void {
    if (this.res.destroyed || this.res.writableEnded) return;
    this.head();
    this.res.write(`event: error\ndata: ${JSON.stringify({ op: 'error', channel, code, message })}\n\n`);
    this.res.end();
  }
}

export interface SseOptions {
  hub: LiveHub;
  tokens: ChannelTokens;
  pingMs: number;
  maxBufferedBytes: number;
}

export function sseRoutes(app: App, opts: SseOptions): { shutdown(): void; count(): number } {
  const streams = new Set<SseStream>();
  const ping = setInterval(() => {
    for (const s of streams) if (s.headed) s.res.write(': ping\n\n');
  }, opts.pingMs);
  ping.unref();

  app.get(
    '/v1/live/sse',
    {
      schema: {
        tags: ['live'],
        summary: 'Server-Sent Events stream of one channel',
        description: 'Each event has `id:` = version and `data:` = `{channel, version, type, data}`. Resume with `Last-Event-ID` or `after`.',
        querystring: LiveQuery,
        response: errorResponses('invalid_request', 'invalid_token', 'token_expired', 'access_revoked', 'unknown_channel', 'unavailable'),
      },
    },
    async (req, reply) => {
      const { channel, token } = req.query;
      opts.hub.checkChannel(channel); // an unknown channel is said before a bad token, as over WebSocket
      const claims = opts.tokens.verify(channel, token);
      const lastId = Number(req.headers['last-event-id']);
      const after = Number.isSafeInteger(lastId) && lastId >= 0 ? lastId : (req.query.after ?? 0);
      const stream = new SseStream(reply.raw, opts.maxBufferedBytes);
      reply.hijack();
      const close = () => {
        streams.delete(stream);
        opts.hub.unsubscribe(channel, stream);
      };
      reply.raw.on('close', close);
      try {
        await opts.hub.subscribe(channel, stream, after, claims, { ip: req.ip, userAgent: req.headers['user-agent'] ?? '' });
      } catch (err) {
        close();
        const code = isAppError(err) ? err.code : 'internal_error';
        const status = isAppError(err) ? statusOf(err.code) : 500;
        if (!stream.headed) {
          reply.raw.writeHead(status, { 'content-type': 'application/json' });
          reply.raw.end(JSON.stringify({ error: code, message: (err as Error).message }));
        } else reply.raw.end();
        return;
      }
      stream.head();
      if (reply.raw.destroyed) close();
      else streams.add(stream);
    },
  );

  return {
    count: () => streams.size,
    /** Ends every stream; EventSource clients reconnect to another node. */
    shutdown() {
      clearInterval(ping);
      for (const s of streams) s.res.end();
      streams.clear();
    },
  };
}
