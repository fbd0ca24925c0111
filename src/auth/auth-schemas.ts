import { Type } from '@fastify/type-provider-typebox';
import type { Static } from 'typebox';
import { ROLES } from '../domain/roles.js';

/** Response shapes of the accounts API; the pages take their types with `import type`. */

export const UserView = Type.Object(
  {
    id: Type.String(),
    email: Type.String(),
    name: Type.String(),
    role: Type.Enum(ROLES),
    created_at: Type.Integer(),
    disabled: Type.Boolean(),
  },
  { $id: 'User' },
);
export type UserView = Static<typeof UserView>;

/** The named `User` schema, typed (a bare Ref has no static type). */
const UserRef = Type.Unsafe<UserView>(Type.Ref('User'));

/** The answer to signing in. */
export const SignedIn = Type.Object({ user: UserRef, csrf_token: Type.String(), expires_at: Type.Integer() });
export type SignedIn = Static<typeof SignedIn>;

/** Who is calling: the CSRF token only for a cookie sign-in (`via: 'session'`). */
export const MeView = Type.Object({ user: UserRef, csrf_token: Type.Optional(Type.String()), via: Type.String() });
export type MeView = Static<typeof MeView>;
