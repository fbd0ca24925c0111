import { Type } from '@fastify/type-provider-typebox';
import { principalOf } from '../auth/http-auth.js';
import { errorResponses } from '../http/schemas.js';
import type { App } from '../http/types.js';
import type { WebhookService } from './webhook-service.js';
import { DeliveriesQuery, DeliveryParams, DeliveryView, WebhookBody, WebhookParams, WebhookView } from './webhook-schemas.js';

const tags = ['checkin'];

/** Organisers: an event's webhook, its delivery log, a test ping and redelivery. Admins only. */
export function webhookRoutes(app: App, webhooks: WebhookService): void {
  app.addSchema(WebhookView);
  app.addSchema(DeliveryView);

  app.put(
    '/events/:id/webhook',
    {
      schema: {
        tags,
        summary: "Set the event's webhook (a POST per check-in change, signed with HMAC-SHA256)",
        description:
          'Creates (201, with a new `whsec_...` secret) or updates (200) the endpoint. `rotate_secret: true` issues a new secret. ' +
          'Each delivery carries `x-scanpass-signature: t=<unix s>,v1=<hex HMAC-SHA256(secret, t + "." + body)>`; see the README.',
        params: WebhookParams,
        body: WebhookBody,
        response: { 200: Type.Ref('EventWebhook'), 201: Type.Ref('EventWebhook'), ...errorResponses('invalid_request', 'unauthorized', 'csrf_failed', 'forbidden', 'invalid_webhook_url', 'not_found') },
      },
    },
    async (req, reply) => {
      const { created, webhook } = await webhooks.put(principalOf(req).user.id, req.params.id, req.body);
      return reply.code(created ? 201 : 200).send(webhook);
    },
  );

  app.get(
    '/events/:id/webhook',
    { schema: { tags, summary: "The event's webhook, with its secret", params: WebhookParams, response: { 200: Type.Ref('EventWebhook'), ...errorResponses('invalid_request', 'unauthorized', 'forbidden', 'not_found', 'webhook_not_configured') } } },
    async (req) => webhooks.get(req.params.id),
  );

  app.delete(
    '/events/:id/webhook',
    {
      schema: {
        tags,
        summary: "Delete the event's webhook, its delivery log and what it had still to send",
        params: WebhookParams,
        response: { 200: Type.Object({ event_id: Type.String(), deleted: Type.Boolean() }), ...errorResponses('invalid_request', 'unauthorized', 'csrf_failed', 'forbidden', 'not_found', 'webhook_not_configured') },
      },
    },
    async (req) => webhooks.remove(principalOf(req).user.id, req.params.id),
  );

  app.get(
    '/events/:id/webhook/deliveries',
    {
      schema: {
        tags,
        summary: 'Recent deliveries, newest first: status, attempts, last answer or error',
        params: WebhookParams,
        querystring: DeliveriesQuery,
        response: { 200: Type.Object({ deliveries: Type.Array(Type.Ref('WebhookDelivery')) }), ...errorResponses('invalid_request', 'unauthorized', 'forbidden', 'not_found', 'webhook_not_configured') },
      },
    },
    async (req) => webhooks.deliveries(req.params.id, req.query.status, req.query.limit ?? 50),
  );

  app.post(
    '/events/:id/webhook/test',
    {
      schema: { tags, summary: 'Queue a `ping` delivery', params: WebhookParams, response: { 202: Type.Ref('WebhookDelivery'), ...errorResponses('invalid_request', 'unauthorized', 'csrf_failed', 'forbidden', 'not_found', 'webhook_not_configured', 'webhook_disabled') } },
    },
    async (req, reply) => reply.code(202).send(await webhooks.ping(principalOf(req).user.id, req.params.id)),
  );

  app.post(
    '/events/:id/webhook/deliveries/:delivery_id/redeliver',
    {
      schema: {
        tags,
        summary: 'Send a delivered or failed delivery once more (same id and body)',
        params: DeliveryParams,
        response: { 202: Type.Ref('WebhookDelivery'), ...errorResponses('invalid_request', 'unauthorized', 'csrf_failed', 'forbidden', 'not_found', 'webhook_not_configured', 'conflict') },
      },
    },
    async (req, reply) => reply.code(202).send(await webhooks.redeliver(principalOf(req).user.id, req.params.id, req.params.delivery_id)),
  );
}
