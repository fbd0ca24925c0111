import { Type } from '@fastify/type-provider-typebox';
import type { App } from '../http/types.js';
import { errorResponses } from '../http/schemas.js';
import { principalOf } from './http-auth.js';
import { CreatedUser, NewUser, UserList, UserListQuery, UserParams, UserPatch } from './users-schemas.js';
import type { UsersService } from './users-service.js';

const TAGS = ['accounts'];

/** Accounts: admins only (registered in an admin scope by accountsPlugin). */
export function usersRoutes(app: App, accounts: UsersService): void {
  app.get(
    '/users',
    {
      schema: {
        tags: TAGS,
        summary: 'List accounts (admin), oldest first; `q` finds a part of the email or name, `role` one role',
        querystring: UserListQuery,
        response: { 200: UserList, ...errorResponses('invalid_request', 'unauthorized', 'forbidden') },
      },
    },
    async (req) => accounts.list(req.query),
  );

  app.post(
    '/users',
    {
      schema: {
        tags: TAGS,
        summary: 'Create an account (admin); without `password` the server makes one up and returns it once',
        body: NewUser,
        response: { 201: CreatedUser, ...errorResponses('invalid_request', 'weak_password', 'unauthorized', 'csrf_failed', 'forbidden', 'email_taken') },
      },
    },
    async (req, reply) => reply.code(201).send(await accounts.create({ user: principalOf(req).user, ip: req.ip }, req.body)),
  );

  app.patch(
    '/users/:id',
    {
      schema: {
        tags: TAGS,
        summary: 'Change an account (admin): its role, its name, or disable / enable it',
        description:
          'Disabling ends every sign-in of the account and revokes its API keys at once; a disabled account cannot sign in (403 `account_disabled`) ' +
          'until enabled again. Demoting to member ends its staff assignments. An admin cannot disable their own account (409 `cannot_disable_self`), ' +
          'and no change may leave no enabled admin (409 `last_admin`).',
        params: UserParams,
        body: UserPatch,
        response: {
          200: Type.Ref('User'),
          ...errorResponses('invalid_request', 'unauthorized', 'csrf_failed', 'forbidden', 'unknown_user', 'last_admin', 'cannot_disable_self'),
        },
      },
    },
    async (req) => accounts.update({ user: principalOf(req).user, ip: req.ip }, req.params.id, req.body),
  );
}
