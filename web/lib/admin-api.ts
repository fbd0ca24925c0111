/**
 * The admin console's calls: applications (OAuth clients). Admin only; writes
 * carry the CSRF token through `api()`.
 */
import type { ClientView } from '../../src/flows/login/login-schemas.js';
import { api } from './api.js';

export const SCOPES = ['openid', 'profile', 'email', 'phone'] as const;
export type Scope = (typeof SCOPES)[number];
/** What the form ticks by default (and what the server assumes without `scopes`). */
export const DEFAULT_SCOPES: readonly Scope[] = ['openid', 'profile'];
/** Same rule as the server's CLIENT_ID_PATTERN. */
export const CLIENT_ID_RE = /^[A-Za-z0-9._-]{3,64}$/;

/** The server schema's own type (type-only: no TypeBox in the page). */
export type Client = ClientView;

/** Where the browser may be sent back, which grants, where logouts go: what the Edit dialog changes. */
export interface UriSettings {
  redirect_uris: string[];
  post_logout_redirect_uris: string[];
  grant_types: string[];
  backchannel_logout_uri: string | null;
}

export interface NewClient extends UriSettings {
  name: string;
  client_id?: string;
  confidential: boolean;
  scopes: Scope[];
}

export interface Created {
  client: Client;
  /** Only for a confidential client, and only in this one answer. */
  client_secret?: string;
}

export async function listClients(): Promise<Client[]> {
  return (await api<{ clients: Client[] }>('GET', '/api/v1/clients')).clients;
}

export function createClient(input: NewClient): Promise<Created> {
  return api<Created>('POST', '/api/v1/clients', input);
}

export function removeClient(clientId: string): Promise<void> {
  return api<void>('DELETE', `/api/v1/clients/${encodeURIComponent(clientId)}`);
}

export async function updateClientUris(clientId: string, patch: UriSettings): Promise<Client> {
  return (await api<{ client: Client }>('PATCH', `/api/v1/clients/${encodeURIComponent(clientId)}`, patch)).client;
}
