import { Type } from '@fastify/type-provider-typebox';
import type { Static } from 'typebox';
import { Id, Nullable } from '../../http/schemas.js';

/** A place's statistics for a day, and the query picking the day. Pages import the types only. */

export const StatsQuery = Type.Object(
  { day: Type.Optional(Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$', description: "YYYY-MM-DD, the local day in the place's zone (default: today there)" })) },
  { additionalProperties: false },
);
export type StatsQuery = Static<typeof StatsQuery>;

const Spread = Nullable(Type.Object({ p50: Type.Integer(), p90: Type.Integer() }, { description: 'seconds; null when there is nothing to measure' }));

export const ServiceStatsView = Type.Object({
  id: Id,
  name: Type.String(),
  prefix: Type.String(),
  tickets: Type.Integer({ description: 'tickets taken that day' }),
  served: Type.Integer(),
  no_shows: Type.Integer(),
  cancelled: Type.Integer(),
  waiting_now: Type.Integer({ description: "the day's tickets still waiting" }),
  wait_seconds: Spread,
  service_seconds: Spread,
  by_hour: Type.Array(Type.Integer(), { minItems: 24, maxItems: 24, description: 'tickets taken in each local hour 0-23' }),
});
export type ServiceStatsView = Static<typeof ServiceStatsView>;

export const QueueStatsView = Type.Object({
  queue_id: Id,
  day: Type.String(),
  timezone: Type.String(),
  services: Type.Array(ServiceStatsView),
});
export type QueueStatsView = Static<typeof QueueStatsView>;
