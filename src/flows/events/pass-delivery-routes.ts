import { principalOf } from '../../auth/http-auth.js';
import { sendCsv } from '../../http/csv.js';
import { errorResponses, IdParams } from '../../http/schemas.js';
import type { App } from '../../http/types.js';
import type { PassDeliveryService } from './pass-delivery-service.js';
import { DeliveriesAnswer, DeliveriesQuery, PassDeliveryView, SendPassesAnswer, SendPassesBody } from './pass-delivery-schemas.js';

/** Organisers: send every attendee their pass by e-mail, watch the deliveries, export the links (admins). */
export function passDeliveryRoutes(app: App, passes: PassDeliveryService): void {
  app.addSchema(PassDeliveryView);

  app.post(
    '/events/:id/passes/send',
    {
      // No body at all means `{}`: send to everyone not yet sent.
      preValidation: (req, _reply, done) => {
        req.body ??= {};
        done();
      },
      schema: {
        tags: ['checkin'],
        summary: 'E-mail each attendee their pass link (a job: answers at once with its id; watch it with GET .../passes/deliveries?job_id=)',
        description:
          'Without `attendee_ids`, every live attendee not yet sent (never queued, or failed); with it, exactly those (sent ones are sent again: same link). ' +
          'Attendees whose message is queued or going out already are left in their job. 409 `mail_not_configured` when no SMTP server is set.',
        params: IdParams,
        body: SendPassesBody,
        response: { 202: SendPassesAnswer, ...errorResponses('invalid_request', 'unauthorized', 'csrf_failed', 'forbidden', 'not_found', 'mail_not_configured') },
      },
    },
    async (req, reply) => reply.code(202).send(await passes.send(principalOf(req).user.id, req.params.id, req.body?.attendee_ids)),
  );

  app.get(
    '/events/:id/passes/deliveries',
    {
      schema: {
        tags: ['checkin'],
        summary: "Each attendee's pass e-mail: not_sent, queued, sent, or failed with the reason; with job_id, that job's progress",
        params: IdParams,
        querystring: DeliveriesQuery,
        response: { 200: DeliveriesAnswer, ...errorResponses('invalid_request', 'unauthorized', 'forbidden', 'not_found') },
      },
    },
    async (req) => passes.deliveries(req.params.id, req.query.job_id),
  );

  app.get(
    '/events/:id/passes/links.csv',
    {
      schema: {
        tags: ['checkin'],
        summary: "Every live attendee's pass link as CSV (name, email, language, link_url), for mail merge or messaging tools",
        description: 'Links that were mailed or kept are exported as they are; a link only shown once when it was made cannot be read back and is replaced (the old one stops working).',
        produces: ['text/csv'],
        params: IdParams,
        response: errorResponses('invalid_request', 'unauthorized', 'forbidden', 'not_found'),
      },
    },
    async (req, reply) => {
      const f = await passes.linksCsv(principalOf(req).user.id, req.params.id);
      return sendCsv(reply, f.filename, f.csv, 'pass-links');
    },
  );
}
