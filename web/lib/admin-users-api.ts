/**
 * The console's calls for its Users section (`/api/v1/users`, admins only).
 * Writes carry the CSRF token through `api()`; the shapes are the server
 * schemas' own types (type-only: no TypeBox in the page).
 */
import type { CreatedUser, NewUser, UserList, UserPatch } from '../../src/auth/users-schemas.js';
import { api, type Role, type User } from './api.js';

export type { CreatedUser, UserList };
export const ROLE_CHOICES: readonly Role[] = ['member', 'staff', 'admin'];
/** Same floor as the server's checkPasswordStrength. */
export const MIN_PASSWORD = 8;

export interface UserQuery {
  q?: string;
  role?: Role;
  limit: number;
  offset: number;
}

export function listUsers(query: UserQuery): Promise<UserList> {
  const p = new URLSearchParams({ limit: String(query.limit), offset: String(query.offset) });
  if (query.q) p.set('q', query.q);
  if (query.role) p.set('role', query.role);
  return api<UserList>('GET', `/api/v1/users?${p}`);
}

export function createUser(input: NewUser): Promise<CreatedUser> {
  return api<CreatedUser>('POST', '/api/v1/users', input);
}

export function updateUser(id: string, patch: UserPatch): Promise<User> {
  return api<User>('PATCH', `/api/v1/users/${encodeURIComponent(id)}`, patch);
}
