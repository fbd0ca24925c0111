import { signedInScope } from '../auth/http-auth.js';
import type { App } from '../http/types.js';
import { PING } from './webhook-outbox.js';
import type { WebhookOwnerKind } from './webhook-owner.js';
import { webhookRoutes } from './webhook-routes.js';
import { deliveryViewSchema, webhookViewSchema } from './webhook-schemas.js';
import type { WebhookService } from './webhook-service.js';

export interface WebhooksPluginOptions {
  service: WebhookService;
  /** The kinds of owner whose webhooks it serves, each at its own path (check-in's `event`). */
  owners: readonly WebhookOwnerKind[];
}

/** The webhook admin API of every owner kind under its prefix (`/api/v1`), for admins only. */
export async function webhooksPlugin(app: App, { service, owners }: WebhooksPluginOptions): Promise<void> {
  for (const kind of owners) app.addSchema(webhookViewSchema(kind));
  app.addSchema(deliveryViewSchema([...owners.flatMap((k) => k.types), PING]));
  await signedInScope(app, 'admin', (scope) => {
    for (const kind of owners) webhookRoutes(scope, service, kind);
  });
}
