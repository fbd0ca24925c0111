import { Type, type TSchema } from '@fastify/type-provider-typebox';
import type { ErrorCode } from '../domain/errors.js';
import { statusOf } from './error-codes.js';

/** The error body of every non-OAuth endpoint. */
export const ErrorBody = Type.Object(
  { error: Type.String({ description: 'stable snake_case code' }), message: Type.String() },
  { $id: 'Error', additionalProperties: true },
);

/**
 * Codes any route may answer, so not repeated in each: the global rate limit
 * (http/app.ts). 503 `unavailable` is added to every operation by http/openapi.ts.
 */
const EVERY_ROUTE: readonly ErrorCode[] = ['rate_limited'];

/**
 * The error responses of a route, from the codes it can answer: one body per
 * status whose `error` is an enum of that route's codes at that status, so the
 * OpenAPI document says what each route can refuse with. Serialization is the
 * same as `ErrorBody` (an enum is not checked when writing a reply).
 */
export function errorResponses(...codes: ErrorCode[]): Record<number, TSchema> {
  const byStatus = new Map<number, ErrorCode[]>();
  for (const code of new Set([...codes, ...EVERY_ROUTE])) {
    const status = statusOf(code);
    byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
  }
  return Object.fromEntries(
    [...byStatus].map(([status, list]) => [
      status,
      Type.Object(
        { error: Type.Enum(list, { description: 'stable snake_case code' }), message: Type.String() },
        { additionalProperties: true, description: list.map((c) => `\`${c}\``).join(', ') },
      ),
    ]),
  );
}

/** `T` or null: a field that is present but may be empty. */
export const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);

/**
 * The largest `offset` a list accepts: far past any real list, and well inside
 * SQLite's and Postgres's 64-bit integers (1e30 was a 500 from both).
 */
export const MAX_OFFSET = 1_000_000_000;

/** Milliseconds since the epoch, within what a JavaScript Date can hold. */
export const Ms = (description: string) => Type.Integer({ minimum: 0, maximum: 8_640_000_000_000_000, description });
/** An id in a path or body: a UUID, or an imported id. */
export const Id = Type.String({ minLength: 1, maxLength: 64 });
export const IdParams = Type.Object({ id: Id });
export const Paging = Type.Object({
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 10_000, default: 1000 })),
  offset: Type.Optional(Type.Integer({ minimum: 0, maximum: MAX_OFFSET, default: 0 })),
});
