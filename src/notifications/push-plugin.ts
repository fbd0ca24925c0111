import { AppError } from '../domain/errors.js';
import { errorResponses } from '../http/schemas.js';
import type { App } from '../http/types.js';
import { ticketPushOwner } from './push-owner.js';
import type { PushService } from './push-service.js';
import { PushKey, PushSubscriptionBody, TicketPushParams, TicketPushQuery } from './push-schemas.js';

/** Checks a ticket's token: the queue's (its holder's link carries it). */
export interface TicketAuth {
  verify(ticketId: string, token: string): Promise<boolean>;
}

export interface PushPluginOptions {
  push: PushService;
  tickets: TicketAuth;
}

const TAGS = ['queue'];

/**
 * Web Push under its prefix (`/api/v1`), for anyone: the server's key, and a
 * ticket holder's subscription (by the ticket's token; a wrong token is
 * answered as if the ticket did not exist).
 */
export async function pushPlugin(app: App, { push, tickets }: PushPluginOptions): Promise<void> {
  app.get(
    '/push/key',
    { schema: { tags: TAGS, summary: 'The VAPID application server key browsers subscribe with', response: { 200: PushKey } } },
    async (_req, reply) => {
      reply.header('cache-control', 'public, max-age=300');
      return { public_key: push.publicKey };
    },
  );

  const held = async (id: string, token: string) => {
    if (!(await tickets.verify(id, token))) throw new AppError('not_found', "no such ticket, or the link is not this ticket's");
    return ticketPushOwner(id);
  };

  app.put(
    '/tickets/:id/push',
    {
      schema: {
        tags: TAGS,
        summary: "Send this ticket's news (near your turn, your turn) to this browser as Web Push notifications",
        description: "204 when stored. The body is the browser's `PushSubscription.toJSON()`; it replaces the ticket's earlier subscription.",
        params: TicketPushParams,
        querystring: TicketPushQuery,
        body: PushSubscriptionBody,
        response: errorResponses('invalid_request', 'not_found'),
      },
    },
    async (req, reply) => {
      const owner = await held(req.params.id, req.query.token);
      await push.subscribe(owner, req.body);
      return reply.code(204).send();
    },
  );

  app.delete(
    '/tickets/:id/push',
    {
      schema: {
        tags: TAGS,
        summary: "Stop this ticket's Web Push notifications (204; harmless when there were none)",
        params: TicketPushParams,
        querystring: TicketPushQuery,
        response: errorResponses('invalid_request', 'not_found'),
      },
    },
    async (req, reply) => {
      await push.unsubscribe(await held(req.params.id, req.query.token));
      return reply.code(204).send();
    },
  );
}
