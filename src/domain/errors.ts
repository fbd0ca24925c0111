/**
 * Every error a caller can cause has a stable snake_case code. Each feature
 * declares its codes with their HTTP statuses next to its code (e.g.
 * flows/checkin/checkin-errors.ts) and adds them to `ErrorCodes` below; the
 * generic ones and those of one-time user codes are here. The HTTP edge maps a
 * code to its status (http/error-codes.ts), so the domain imports nothing of
 * the features; a route lists the codes it can answer with
 * `errorResponses(...)` (http/schemas.ts) and the OpenAPI document shows them.
 */
export const GENERIC_ERRORS = {
  invalid_request: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  method_not_allowed: 405,
  conflict: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  headers_too_large: 431,
  request_timeout: 408,
  rate_limited: 429,
  internal_error: 500,
  unavailable: 503,
} as const satisfies Record<string, number>;

/**
 * About a one-time user code (`XXXX-XXXX`): shared by login and share, and
 * raised by their state machines (domain/login-request.ts, domain/share-request.ts).
 */
export const USER_CODE_ERRORS = {
  unknown_code: 404,
  code_expired: 410,
  code_used: 409,
  claimed_elsewhere: 409,
  not_claimed: 409,
} as const satisfies Record<string, number>;

/** A table's codes as the members of `ErrorCodes`. */
export type CodesOf<T extends Record<string, number>> = { [K in keyof T]: T[K] };

/**
 * Every error code there is, with its status. Each feature adds its table by
 * declaration merging, next to its code:
 *
 *   declare module '../../domain/errors.js' { interface ErrorCodes extends CodesOf<typeof CHECKIN_ERRORS> {} }
 *
 * so `new AppError('device_revoked', ...)` is checked at compile time while the
 * domain imports nothing of the features. The runtime table of statuses is
 * http/error-codes.ts, which must list every code declared here.
 */
export interface ErrorCodes extends CodesOf<typeof GENERIC_ERRORS>, CodesOf<typeof USER_CODE_ERRORS> {}

export type ErrorCode = keyof ErrorCodes & string;

export class AppError extends Error {
  override name = 'AppError';

  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
  }
}

export const isAppError = (e: unknown): e is AppError => e instanceof AppError;
