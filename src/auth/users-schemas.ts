import { Type } from '@fastify/type-provider-typebox';
import type { Static } from 'typebox';
import { ROLES } from '../domain/roles.js';
import { MAX_OFFSET } from '../http/schemas.js';
import type { UserView } from './auth-schemas.js';
import { MAX_PASSWORD_LENGTH } from './passwords.js';

/**
 * Request and response shapes of account management (`/api/v1/users`, admins
 * only). The console imports the types only (`import type`).
 */

export const Email = Type.String({ minLength: 3, maxLength: 254, pattern: '^[^\\s@]+@[^\\s@]+$' });
export const Password = Type.String({ minLength: 1, maxLength: MAX_PASSWORD_LENGTH });
const RoleField = Type.Enum(ROLES);
const Name = Type.String({ minLength: 1, maxLength: 120 });

/** The named `User` schema (auth-schemas.ts), typed. */
const UserRef = Type.Unsafe<UserView>(Type.Ref('User'));

export const UserListQuery = Type.Object({
  q: Type.Optional(Type.String({ maxLength: 254, description: 'part of the email or name, any case' })),
  role: Type.Optional(RoleField),
  limit: Type.Integer({ minimum: 1, maximum: 500, default: 100 }),
  offset: Type.Integer({ minimum: 0, maximum: MAX_OFFSET, default: 0 }),
});
export type UserListQuery = Static<typeof UserListQuery>;

export const UserList = Type.Object({
  users: Type.Array(UserRef),
  total: Type.Integer({ description: 'how many accounts match, over every page' }),
});
export type UserList = Static<typeof UserList>;

export const NewUser = Type.Object(
  {
    email: Email,
    password: Type.Optional(Type.String({ minLength: 1, maxLength: MAX_PASSWORD_LENGTH, description: 'the initial password; without it one is made up and returned once as `initial_password`' })),
    role: RoleField,
    name: Type.Optional(Name),
  },
);
export type NewUser = Static<typeof NewUser>;

/** The account created; `initial_password` only when the server made one up, and only in this answer. */
export const CreatedUser = Type.Object({
  id: Type.String(),
  email: Type.String(),
  name: Type.String(),
  role: RoleField,
  created_at: Type.Integer(),
  disabled: Type.Boolean(),
  initial_password: Type.Optional(Type.String()),
});
export type CreatedUser = Static<typeof CreatedUser>;

export const UserPatch = Type.Object(
  {
    role: Type.Optional(RoleField),
    disabled: Type.Optional(Type.Boolean({ description: 'true ends every sign-in and API key of the account at once' })),
    name: Type.Optional(Name),
  },
  { additionalProperties: false, minProperties: 1 },
);
export type UserPatch = Static<typeof UserPatch>;

export const UserParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) });
