import { requireUser } from '../../auth/http-auth.js';
import type { App } from '../../http/types.js';
import type { ShareService } from './share-service.js';
import { shareRoutes, type ShareRouteOptions } from './share-routes.js';

export interface SharePluginOptions {
  service: ShareService;
  routes: ShareRouteOptions;
}

/** The share feature under its prefix (`/api/v1`): every route is for a signed-in user. */
export async function sharePlugin(app: App, o: SharePluginOptions): Promise<void> {
  app.addHook('onRequest', requireUser('member'));
  shareRoutes(app, o.service, o.routes);
}
