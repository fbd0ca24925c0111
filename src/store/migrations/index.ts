import type { Kysely, Migration } from 'kysely';
import type { Dialect } from '../database.js';
import * as foundation from './001-foundation.js';
import * as login from './002-login.js';
import * as share from './003-share.js';
import * as checkin from './004-checkin.js';
import * as webhooks from './005-webhooks.js';
import * as countIndexes from './006-count-indexes.js';
import * as signInBackoff from './007-sign-in-backoff.js';
import * as apiKeyScopes from './008-api-key-scopes.js';
import * as signIns from './009-sign-ins.js';
import * as webhookOwners from './010-webhook-owners.js';
import * as queue from './011-queue.js';
import * as pushSubscriptions from './012-push-subscriptions.js';
import * as queueDevices from './013-queue-devices.js';
import * as passDelivery from './014-pass-delivery.js';
import * as attendeeNote from './015-attendee-note.js';
import * as attendeePersonIndexes from './017-attendee-person-indexes.js';
import * as serviceWaitingCount from './018-service-waiting-count.js';
import * as eventArchive from './019-event-archive.js';
import * as clientRedirects from './020-client-redirects.js';
import * as authorizationCode from './021-authorization-code.js';
import * as loginRequestSweeps from './022-login-request-sweeps.js';

interface DialectMigration {
  up(db: Kysely<unknown>, dialect: Dialect): Promise<void>;
}

/** Ordered by name; a migration, once released, is never edited. */
const MIGRATIONS: Record<string, DialectMigration> = {
  '001-foundation': foundation,
  '002-login': login,
  '003-share': share,
  '004-checkin': checkin,
  '005-webhooks': webhooks,
  '006-count-indexes': countIndexes,
  '007-sign-in-backoff': signInBackoff,
  '008-api-key-scopes': apiKeyScopes,
  '009-sign-ins': signIns,
  '010-webhook-owners': webhookOwners,
  '011-queue': queue,
  '012-push-subscriptions': pushSubscriptions,
  '013-queue-devices': queueDevices,
  '014-pass-delivery': passDelivery,
  '015-attendee-note': attendeeNote,
  '017-attendee-person-indexes': attendeePersonIndexes,
  '018-service-waiting-count': serviceWaitingCount,
  '019-event-archive': eventArchive,
  '020-client-redirects': clientRedirects,
  '021-authorization-code': authorizationCode,
  '022-login-request-sweeps': loginRequestSweeps,
};

export function migrationsFor(dialect: Dialect): Record<string, Migration> {
  return Object.fromEntries(
    Object.entries(MIGRATIONS).map(([name, m]) => [name, { up: (db: Kysely<unknown>) => m.up(db, dialect) }]),
  );
}
