import { Type } from '@fastify/type-provider-typebox';
import { principalOf } from '../auth/http-auth.js';
import { errorResponses } from '../http/schemas.js';
import type { App } from '../http/types.js';
import { ownerIdField, type WebhookOwnerKind } from './webhook-owner.js';
import type { WebhookService } from './webhook-service.js';
import { DeliveriesQuery, DeliveryParams, WebhookBody, WebhookParams, webhookViewId } from './webhook-schemas.js';

/**
 * Organisers: an owner's webhook at the kind's path (an event's at
 * `/events/:id/webhook`), its delivery log, a test ping and redelivery.
 * Admins only. The shapes' schemas are added once by the plugin.
 */
export function webhookRoutes(app: App, webhooks: WebhookService, kind: WebhookOwnerKind): void {
  const tags = [kind.tag];
  const path = kind.path;
  const view = () => Type.Ref(webhookViewId(kind));

  app.put(
    path,
    {
      schema: {
        tags,
        summary: `Set the ${kind.label}'s webhook (a POST per ${kind.change}, signed with HMAC-SHA256)`,
        description:
          'Creates (201, with a new `whsec_...` secret) or updates (200) the endpoint. `rotate_secret: true` issues a new secret. ' +
          'Each delivery carries `x-scanpass-signature: t=<unix s>,v1=<hex HMAC-SHA256(secret, t + "." + body)>`; see the README.',
        params: WebhookParams,
        body: WebhookBody,
        response: { 200: view(), 201: view(), ...errorResponses('invalid_request', 'unauthorized', 'csrf_failed', 'forbidden', 'invalid_webhook_url', 'not_found') },
      },
    },
    async (req, reply) => {
      const { created, webhook } = await webhooks.put(kind, principalOf(req).user.id, req.params.id, req.body);
      return reply.code(created ? 201 : 200).send(webhook);
    },
  );

  app.get(
    path,
    { schema: { tags, summary: `The ${kind.label}'s webhook, with its secret`, params: WebhookParams, response: { 200: view(), ...errorResponses('invalid_request', 'unauthorized', 'forbidden', 'not_found', 'webhook_not_configured') } } },
    async (req) => webhooks.get(kind, req.params.id),
  );

  app.delete(
    path,
    {
      schema: {
        tags,
        summary: `Delete the ${kind.label}'s webhook, its delivery log and what it had still to send`,
        params: WebhookParams,
        response: { 200: Type.Object({ [ownerIdField(kind)]: Type.String(), deleted: Type.Boolean() }), ...errorResponses('invalid_request', 'unauthorized', 'csrf_failed', 'forbidden', 'not_found', 'webhook_not_configured') },
      },
    },
    async (req) => webhooks.remove(kind, principalOf(req).user.id, req.params.id),
  );

  app.get(
    `${path}/deliveries`,
    {
      schema: {
        tags,
        summary: 'Recent deliveries, newest first: status, attempts, last answer or error',
        params: WebhookParams,
        querystring: DeliveriesQuery,
        response: { 200: Type.Object({ deliveries: Type.Array(Type.Ref('WebhookDelivery')) }), ...errorResponses('invalid_request', 'unauthorized', 'forbidden', 'not_found', 'webhook_not_configured') },
      },
    },
    async (req) => webhooks.deliveries(kind, req.params.id, req.query.status, req.query.limit ?? 50),
  );

  app.post(
    `${path}/test`,
    {
      schema: { tags, summary: 'Queue a `ping` delivery', params: WebhookParams, response: { 202: Type.Ref('WebhookDelivery'), ...errorResponses('invalid_request', 'unauthorized', 'csrf_failed', 'forbidden', 'not_found', 'webhook_not_configured', 'webhook_disabled') } },
    },
    async (req, reply) => reply.code(202).send(await webhooks.ping(kind, principalOf(req).user.id, req.params.id)),
  );

  app.post(
    `${path}/deliveries/:delivery_id/redeliver`,
    {
      schema: {
        tags,
        summary: 'Send a delivered or failed delivery once more (same id and body)',
        params: DeliveryParams,
        response: { 202: Type.Ref('WebhookDelivery'), ...errorResponses('invalid_request', 'unauthorized', 'csrf_failed', 'forbidden', 'not_found', 'webhook_not_configured', 'conflict') },
      },
    },
    async (req, reply) => reply.code(202).send(await webhooks.redeliver(kind, principalOf(req).user.id, req.params.id, req.params.delivery_id)),
  );
}
