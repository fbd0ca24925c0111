import { Type } from '@fastify/type-provider-typebox';

/** The error body of every non-OAuth endpoint. */
export const ErrorBody = Type.Object(
  { error: Type.String({ description: 'stable snake_case code' }), message: Type.String() },
  { $id: 'Error', additionalProperties: true },
);

export const errorResponses = (...statuses: number[]) =>
  Object.fromEntries(statuses.map((s) => [s, Type.Ref('Error')]));

/**
 * The largest `offset` a list accepts: far past any real list, and well inside
 * SQLite's and Postgres's 64-bit integers (1e30 was a 500 from both).
 */
export const MAX_OFFSET = 1_000_000_000;
