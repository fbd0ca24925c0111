import type { Kysely } from 'kysely';
import type { Dialect } from '../database.js';

/**
 * The QR queue: places (`queues`) with their services (each with a prefix
 * and its own waiting line) and counters, staff of a place, the day's ticket
 * numbers per service, tickets, and the recent changes of each service's
 * waiting set (`line_changes`, what a phone applies to keep its `ahead`
 * right from one frame per change).
 *
 * `queues.version` is the `board:` channel's version, `queue_services.line_version`
 * the `line:` channel's (bumped in the unit of every change to that service's
 * waiting set, which also serialises those changes per service), and
 * `tickets.version` the `ticket:` channel's.
 */
export async function up(db: Kysely<unknown>, _dialect: Dialect): Promise<void> {
  await db.schema
    .createTable('queues')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('timezone', 'text', (c) => c.notNull())
    .addColumn('entrance_key', 'text', (c) => c.notNull())
    .addColumn('version', 'bigint', (c) => c.notNull())
    .addColumn('created_by', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('queue_services')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('queue_id', 'text', (c) => c.notNull().references('queues.id').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('prefix', 'text', (c) => c.notNull())
    .addColumn('position', 'integer', (c) => c.notNull())
    .addColumn('ask', 'text', (c) => c.notNull())
    .addColumn('max_waiting', 'integer', (c) => c.notNull())
    .addColumn('near_ahead', 'integer', (c) => c.notNull())
    .addColumn('no_show_seconds', 'integer', (c) => c.notNull())
    .addColumn('more_time_places', 'integer', (c) => c.notNull())
    .addColumn('open', 'integer', (c) => c.notNull())
    .addColumn('line_version', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('queue_services_prefix').on('queue_services').columns(['queue_id', 'prefix']).unique().execute();

  await db.schema
    .createTable('queue_counters')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('queue_id', 'text', (c) => c.notNull().references('queues.id').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('position', 'integer', (c) => c.notNull())
    // Staffed now: the wait estimate counts open counters only.
    .addColumn('open', 'integer', (c) => c.notNull().defaultTo(1))
    .execute();
  await db.schema.createIndex('queue_counters_queue').on('queue_counters').column('queue_id').execute();

  await db.schema
    .createTable('queue_counter_services')
    .addColumn('counter_id', 'text', (c) => c.notNull().references('queue_counters.id').onDelete('cascade'))
    .addColumn('service_id', 'text', (c) => c.notNull().references('queue_services.id').onDelete('cascade'))
    .addPrimaryKeyConstraint('queue_counter_services_pk', ['counter_id', 'service_id'])
    .execute();

  await db.schema
    .createTable('queue_staff')
    .addColumn('queue_id', 'text', (c) => c.notNull().references('queues.id').onDelete('cascade'))
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('queue_staff_pk', ['queue_id', 'user_id'])
    .execute();
  await db.schema.createIndex('queue_staff_user').on('queue_staff').column('user_id').execute();

  await db.schema
    .createTable('queue_numbers')
    .addColumn('service_id', 'text', (c) => c.notNull().references('queue_services.id').onDelete('cascade'))
    .addColumn('day', 'text', (c) => c.notNull())
    .addColumn('last', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('queue_numbers_pk', ['service_id', 'day'])
    .execute();

  await db.schema
    .createTable('tickets')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('queue_id', 'text', (c) => c.notNull().references('queues.id').onDelete('cascade'))
    .addColumn('service_id', 'text', (c) => c.notNull().references('queue_services.id').onDelete('cascade'))
    .addColumn('day', 'text', (c) => c.notNull())
    .addColumn('number', 'text', (c) => c.notNull())
    .addColumn('seq', 'integer', (c) => c.notNull())
    .addColumn('order_key', 'bigint', (c) => c.notNull())
    .addColumn('priority', 'integer', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('name', 'text')
    .addColumn('phone', 'text')
    .addColumn('counter_id', 'text', (c) => c.references('queue_counters.id').onDelete('set null'))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('called_at', 'bigint')
    .addColumn('finished_at', 'bigint')
    .addColumn('recalls', 'integer', (c) => c.notNull())
    .addColumn('more_time_used', 'integer', (c) => c.notNull())
    .addColumn('version', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('tickets_line').on('tickets').columns(['service_id', 'status', 'order_key']).execute();
  await db.schema.createIndex('tickets_queue_called').on('tickets').columns(['queue_id', 'called_at']).execute();
  // The board counts each service's waiting tickets and finds the oldest from the index alone.
  await db.schema.createIndex('tickets_board').on('tickets').columns(['queue_id', 'status', 'service_id', 'created_at']).execute();
  // A day's statistics and CSV read the place's tickets of that local day.
  await db.schema.createIndex('tickets_queue_day').on('tickets').columns(['queue_id', 'day']).execute();
  // The no-show sweep reads called tickets by when they were called.
  await db.schema.createIndex('tickets_called').on('tickets').columns(['status', 'called_at']).execute();
  await db.schema.createIndex('tickets_service_finished').on('tickets').columns(['service_id', 'finished_at']).execute();

  await db.schema
    .createTable('line_changes')
    .addColumn('service_id', 'text', (c) => c.notNull().references('queue_services.id').onDelete('cascade'))
    .addColumn('version', 'bigint', (c) => c.notNull())
    .addColumn('order_key', 'bigint', (c) => c.notNull())
    .addColumn('delta', 'integer', (c) => c.notNull())
    .addColumn('at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('line_changes_pk', ['service_id', 'version'])
    .execute();
}
