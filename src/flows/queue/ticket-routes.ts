import { Type } from '@fastify/type-provider-typebox';
import { principalOf, requireUser } from '../../auth/http-auth.js';
import { liveAccessOf } from '../../auth/live-access.js';
import { errorResponses, IdParams } from '../../http/schemas.js';
import type { App } from '../../http/types.js';
import type { QueueDevicesRepo } from '../../store/queue-devices.js';
import type { QueueCaller } from './queue-access.js';
import { queueDeviceOf } from './queue-device-auth.js';
import { QueueParams, TicketAnswer, TicketBody, TokenQuery, TransferBody } from './queue-schemas.js';
import type { TicketService } from './ticket-service.js';

const TAGS = ['queue'];
const checkSignedIn = requireUser('member');

/** Anyone: taking a number, and the holder's own ticket by its token. */
export function ticketHolderRoutes(app: App, tickets: TicketService, devices: QueueDevicesRepo): void {
  app.post(
    '/queues/:id/tickets',
    {
      schema: {
        tags: TAGS,
        summary: 'Take a number (with the entrance code; staff of the place and its kiosks may issue one by hand without it)',
        params: QueueParams,
        body: TicketBody,
        response: { 201: Type.Ref('QueueTicket'), ...errorResponses('invalid_request', 'unauthorized', 'device_revoked', 'csrf_failed', 'forbidden', 'invalid_entrance_code', 'not_found', 'service_closed', 'queue_full') },
      },
    },
    async (req, reply) => {
      // Without a code only the place's kiosk or a signed-in caller may issue one; a cookie write then carries its CSRF token.
      let byHand: QueueCaller | null = null;
      if (req.body.entrance_code === undefined) {
        const device = await queueDeviceOf(req, devices);
        if (device) byHand = { kind: 'device', device };
        else if (req.principal) {
          await checkSignedIn(req, reply);
          byHand = { kind: 'user', user: req.principal.user, access: liveAccessOf(req.principal) };
        }
      }
      reply.header('cache-control', 'no-store');
      return reply.code(201).send(await tickets.join(req.params.id, req.body, byHand));
    },
  );

  const holder = { params: IdParams, querystring: TokenQuery };
  app.get(
    '/tickets/:id',
    { schema: { tags: TAGS, summary: "The holder's ticket: number, status, people ahead, expected wait, counter", ...holder, response: { 200: Type.Ref('QueueTicket'), ...errorResponses('invalid_request', 'not_found') } } },
    async (req, reply) => {
      reply.header('cache-control', 'no-store').header('referrer-policy', 'no-referrer');
      return tickets.get(req.params.id, req.query.token);
    },
  );

  app.delete(
    '/tickets/:id',
    { schema: { tags: TAGS, summary: 'Leave the queue (leaving twice is harmless)', ...holder, response: { 200: Type.Ref('QueueTicket'), ...errorResponses('invalid_request', 'not_found', 'invalid_ticket_state') } } },
    async (req) => tickets.leave(req.params.id, req.query.token),
  );

  app.post(
    '/tickets/:id/more-time',
    {
      schema: {
        tags: TAGS,
        summary: '"I need more time": once per ticket, moves it back a few places',
        ...holder,
        response: { 200: Type.Ref('QueueTicket'), ...errorResponses('invalid_request', 'not_found', 'more_time_used', 'invalid_ticket_state') },
      },
    },
    async (req) => tickets.moreTime(req.params.id, req.query.token),
  );
}

/** Staff of the ticket's place (and admins): the counter console. */
export function counterRoutes(app: App, tickets: TicketService): void {
  const staffErrors = ['invalid_request', 'unauthorized', 'csrf_failed', 'forbidden', 'not_found'] as const;
  app.post(
    '/counters/:id/call',
    {
      schema: {
        tags: TAGS,
        summary: "Call next: the first waiting ticket of the counter's services, exactly once",
        params: IdParams,
        response: { 200: TicketAnswer, ...errorResponses(...staffErrors, 'queue_empty', 'conflict') },
      },
    },
    async (req) => {
      const p = principalOf(req);
      return tickets.call(p.user, req.params.id, liveAccessOf(p));
    },
  );

  for (const [path, action, summary] of [
    ['recall', 'recall', 'Announce a called ticket again'],
    ['done', 'done', 'The called visitor was served'],
    ['no-show', 'no_show', 'The called visitor did not come'],
  ] as const) {
    app.post(
      `/tickets/:id/${path}`,
      { schema: { tags: TAGS, summary, params: IdParams, response: { 200: TicketAnswer, ...errorResponses(...staffErrors, 'invalid_ticket_state', 'conflict') } } },
      async (req) => {
        const p = principalOf(req);
        return tickets.act(p.user, req.params.id, action, liveAccessOf(p));
      },
    );
  }

  app.post(
    '/tickets/:id/transfer',
    {
      schema: {
        tags: TAGS,
        summary: 'Send a ticket to another service, to the front or the back of its line',
        params: IdParams,
        body: TransferBody,
        response: { 200: TicketAnswer, ...errorResponses(...staffErrors, 'invalid_ticket_state', 'conflict') },
      },
    },
    async (req) => {
      const p = principalOf(req);
      return tickets.transfer(p.user, req.params.id, req.body, liveAccessOf(p));
    },
  );
}
