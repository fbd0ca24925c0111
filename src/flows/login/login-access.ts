import { mayApproveFor } from '../../domain/api-key-scopes.js';
import { AppError } from '../../domain/errors.js';
import type { LoginRequest } from '../../domain/login-request.js';
import type { ClientsRepo } from '../../store/clients.js';

/**
 * Who may do what with a login request, in one place:
 * - any signed-in account may open a request by its code; the first to open
 *   it is its claimant, and only the claimant may approve or deny it
 *   (the state machine, domain/login-request.ts);
 * - an API key acting for its own user must be scoped to the request's
 *   application (`login:approve:<client_id>`), and its owner must own that
 *   application (admins: any) — checked here, before anything changes;
 * - applications (clients) are managed by admins (login-plugin.ts's scope).
 */

/** Who scanned: a signed-in account, or an application's API key acting for its own user. */
export interface Claimant {
  key: string;
  userId: string;
  /** Set for an API key: its owner's role and the key's scopes. */
  apiKeyOwner?: { isAdmin: boolean; scopes: readonly string[] };
}

/** Throws unless the claimant may open or decide `r`; a refused key claims nothing. */
export async function requireMayDecide(clients: ClientsRepo, r: Pick<LoginRequest, 'clientId'>, c: Claimant): Promise<void> {
  if (!c.apiKeyOwner) return;
  if (!mayApproveFor(c.apiKeyOwner.scopes, r.clientId)) {
    throw new AppError('insufficient_scope', "this API key is not scoped to this request's application: create one with scopes [\"login:approve:<client_id>\"]");
  }
  if (c.apiKeyOwner.isAdmin) return;
  const client = await clients.find(r.clientId);
  if (client?.owner_id !== c.userId) throw new AppError('forbidden', "an API key may only decide its own application's requests");
}
