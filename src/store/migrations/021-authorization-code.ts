import type { Kysely } from 'kysely';
import type { Dialect } from '../database.js';

/**
 * OpenID Connect's authorization code flow and what it leaves behind.
 *
 * - `authorizations`: one `/oauth/authorize` visit: the app's parameters,
 *   the browser it is bound to (hash of a cookie), then the code it earns
 *   (hash only) and the grant that code became. Versioned: finishing and
 *   redeeming are compare-and-sets, so a code is exchanged once.
 * - `login_requests.authorization_id`: the QR login requests shown on that
 *   visit's page (a renewed QR is a new request of the same visit);
 *   `screen_watched`: the phone is shown the browser that watches the
 *   request's channel, not the back end that started it.
 * - `oauth_grants`: one signed-in screen or app (the `sid` of its tokens),
 *   which the phone's account page lists and can end.
 * - `refresh_tokens`: hashes, each usable once; a second use revokes the grant.
 */
export async function up(db: Kysely<unknown>, _dialect: Dialect): Promise<void> {
  await db.schema
    .createTable('authorizations')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('client_id', 'text', (c) => c.notNull().references('clients.client_id').onDelete('cascade'))
    .addColumn('browser_hash', 'text', (c) => c.notNull())
    .addColumn('redirect_uri', 'text', (c) => c.notNull())
    .addColumn('scopes', 'text', (c) => c.notNull())
    .addColumn('state', 'text')
    .addColumn('nonce', 'text')
    .addColumn('code_challenge', 'text')
    .addColumn('max_age', 'integer')
    .addColumn('login_hint', 'text')
    .addColumn('prompt', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('version', 'bigint', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .addColumn('code_hash', 'text', (c) => c.unique())
    .addColumn('code_expires_at', 'bigint')
    .addColumn('approval', 'text')
    .addColumn('grant_id', 'text')
    .addColumn('screen_ip', 'text', (c) => c.notNull())
    .addColumn('screen_user_agent', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('authorizations_expiry').on('authorizations').column('expires_at').execute();

  await db.schema.alterTable('login_requests').addColumn('authorization_id', 'text', (c) => c.references('authorizations.id').onDelete('cascade')).execute();
  // 1 once the screen that watches the request's channel has replaced the requester as "the screen".
  await db.schema.alterTable('login_requests').addColumn('screen_watched', 'integer', (c) => c.notNull().defaultTo(0)).execute();

  await db.schema
    .createTable('oauth_grants')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('client_id', 'text', (c) => c.notNull().references('clients.client_id').onDelete('cascade'))
    .addColumn('subject', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text', (c) => c.references('users.id').onDelete('cascade'))
    .addColumn('scopes', 'text', (c) => c.notNull())
    .addColumn('claims', 'text', (c) => c.notNull())
    .addColumn('via', 'text', (c) => c.notNull())
    .addColumn('auth_time', 'bigint', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('last_used_at', 'bigint', (c) => c.notNull())
    .addColumn('revoked_at', 'bigint')
    .addColumn('screen_ip', 'text', (c) => c.notNull())
    .addColumn('screen_user_agent', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('oauth_grants_user').on('oauth_grants').columns(['user_id', 'revoked_at']).execute();

  await db.schema
    .createTable('refresh_tokens')
    .addColumn('token_hash', 'text', (c) => c.primaryKey())
    .addColumn('grant_id', 'text', (c) => c.notNull().references('oauth_grants.id').onDelete('cascade'))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .addColumn('used_at', 'bigint')
    .execute();
  await db.schema.createIndex('refresh_tokens_grant').on('refresh_tokens').column('grant_id').execute();
}
