import { Type } from '@fastify/type-provider-typebox';
import type { App } from '../../http/types.js';
import { AppError } from '../../domain/errors.js';
import { errorResponses } from '../../http/schemas.js';
import type { ChannelTokens } from '../channel-token.js';
import type { LiveHub, Subscriber } from '../hub.js';
import { LiveQuery } from './sse.js';

const MAX_WAIT_SECONDS = 30;

const PollQuery = Type.Object({
  ...LiveQuery.properties,
  wait: Type.Optional(Type.Integer({ minimum: 0, maximum: MAX_WAIT_SECONDS, default: 25, description: 'seconds to hold the request when nothing is newer' })),
});

export interface PollOptions {
  hub: LiveHub;
  tokens: ChannelTokens;
}

/**
 * Long-poll, and plain polling with `wait=0`: answers at once with the state
 * when it is newer than `after`; otherwise holds up to `wait` seconds and
 * answers 204 if nothing changed.
 */
export function pollRoutes(app: App, opts: PollOptions): { shutdown(): void; count(): number } {
  const waiting = new Set<() => void>();

  app.get(
    '/v1/live/poll',
    {
      schema: {
        tags: ['live'],
        summary: 'Long-poll one channel',
        description: 'Answers 200 with `{channel, version, type, data}` when newer than `after`, or 204 when nothing changed within `wait` seconds.',
        querystring: PollQuery,
        response: {
          200: Type.Object({ channel: Type.String(), version: Type.Integer(), type: Type.String(), data: Type.Unknown() }),
          204: Type.Null({ description: 'nothing newer than `after` within `wait` seconds' }),
          ...errorResponses('invalid_request', 'invalid_token', 'token_expired', 'access_revoked', 'unknown_channel', 'unavailable'),
        },
      },
    },
    async (req, reply) => {
      const { channel, token } = req.query;
      const after = req.query.after ?? 0;
      const wait = req.query.wait ?? 25;
      opts.hub.checkChannel(channel); // an unknown channel is said before a bad token, as over WebSocket
      const claims = opts.tokens.verify(channel, token);

      let finish!: (frame: string | AppError | null) => void;
      const result = new Promise<string | AppError | null>((resolve) => (finish = resolve));
      // A held poll whose token expires or is revoked is answered with that error at once.
      const sub: Subscriber = { send: (_e, frame) => finish(frame), end: (_c, code, message) => finish(new AppError(code, message)) };
      const timeout = () => finish(null);
      let timer: NodeJS.Timeout | undefined;
      waiting.add(timeout);
      reply.raw.on('close', timeout);
      try {
        await opts.hub.subscribe(channel, sub, after, claims, { ip: req.ip, userAgent: req.headers['user-agent'] ?? '' });
        // The wait starts once the snapshot is in: with wait=0 a newer state still answers 200.
        timer = setTimeout(timeout, wait * 1000);
        const frame = await result;
        if (frame === null) return reply.code(204).send(null);
        if (frame instanceof AppError) throw frame;
        return reply.type('application/json').send(frame as never);
      } finally {
        clearTimeout(timer);
        waiting.delete(timeout);
        reply.raw.off('close', timeout);
        opts.hub.unsubscribe(channel, sub);
      }
    },
  );

  return {
    count: () => waiting.size,
    /** Answers every held poll with 204 so clients ask again, elsewhere. */
    shutdown() {
      for (const w of waiting) w();
    },
  };
}
