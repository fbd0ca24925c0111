import type { Kysely } from 'kysely';
import type { Dialect } from '../database.js';

/**
 * Applications get what the authorization code flow needs (OpenID Connect):
 * where the browser may be sent back (`redirect_uris`, a JSON array), where
 * after a logout (`post_logout_redirect_uris`, a JSON array), which grants
 * they may use (`grant_types`, space-separated; existing applications keep
 * the device flow they were registered for), and where a back-channel logout
 * token goes (`backchannel_logout_uri`, null: none).
 */
export async function up(db: Kysely<unknown>, _dialect: Dialect): Promise<void> {
  await db.schema.alterTable('clients').addColumn('redirect_uris', 'text', (c) => c.notNull().defaultTo('[]')).execute();
  await db.schema.alterTable('clients').addColumn('post_logout_redirect_uris', 'text', (c) => c.notNull().defaultTo('[]')).execute();
  await db.schema.alterTable('clients').addColumn('grant_types', 'text', (c) => c.notNull().defaultTo('urn:ietf:params:oauth:grant-type:device_code')).execute();
  await db.schema.alterTable('clients').addColumn('backchannel_logout_uri', 'text').execute();
}
