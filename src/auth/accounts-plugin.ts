import type { App } from '../http/types.js';
import { signedInScope } from './http-auth.js';
import { apiKeyRoutes, signedInRoutes, signInRoutes, type AuthRouteOptions } from './routes.js';
import { usersRoutes } from './users-routes.js';

/**
 * Accounts under their prefix (`/api/v1`), one scope per guard: sign-in for
 * anyone, sign-out and `/me` for any signed-in caller, accounts for admins, API keys
 * for staff. Who the caller is (`req.principal`) is resolved for the whole app
 * by authHooks.
 */
export async function accountsPlugin(app: App, o: AuthRouteOptions): Promise<void> {
  signInRoutes(app, o);
  await signedInScope(app, 'member', (scope) => signedInRoutes(scope, o));
  await signedInScope(app, 'admin', (scope) => usersRoutes(scope, o.accounts));
  await signedInScope(app, 'staff', (scope) => apiKeyRoutes(scope, o));
}
