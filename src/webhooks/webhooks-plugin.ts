import { signedInScope } from '../auth/http-auth.js';
import type { App } from '../http/types.js';
import { webhookRoutes } from './webhook-routes.js';
import type { WebhookService } from './webhook-service.js';

/** The webhook admin API under its prefix (`/api/v1`), for admins only. */
export async function webhooksPlugin(app: App, { service }: { service: WebhookService }): Promise<void> {
  await signedInScope(app, 'admin', (scope) => webhookRoutes(scope, service));
}
