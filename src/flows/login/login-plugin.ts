import { signedInScope } from '../../auth/http-auth.js';
import type { App } from '../../http/types.js';
import type { AuditLog } from '../../store/audit-log.js';
import { clientsRoutes } from './clients-routes.js';
import type { ClientsService } from './clients-service.js';
import type { LoginService } from './login-service.js';
import { phoneRoutes, type PhoneRouteOptions } from './phone-routes.js';
import { signedInAppsRoutes } from './sign-out-routes.js';
import type { SignOuts } from './sign-outs.js';

export interface LoginPluginOptions {
  service: LoginService;
  phone: PhoneRouteOptions;
  clients: ClientsService;
  signOuts: SignOuts;
  audit: AuditLog;
  now: () => number;
}

/**
 * The login feature's API under its prefix (`/api/v1`): the phone's side of a
 * login request for any signed-in user, the applications for admins. The
 * OAuth endpoints are their own plugin (oauth-plugin.ts).
 */
export async function loginPlugin(app: App, o: LoginPluginOptions): Promise<void> {
  await signedInScope(app, 'member', (phone) => {
    phoneRoutes(phone, o.service, o.phone);
    signedInAppsRoutes(phone, o.signOuts, o.audit, o.now);
  });
  await signedInScope(app, 'admin', (admin) => clientsRoutes(admin, o.clients, o.audit, o.now));
}
