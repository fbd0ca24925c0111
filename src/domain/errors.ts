import { AUTH_ERRORS } from '../auth/auth-errors.js';
import { CHECKIN_ERRORS } from '../flows/checkin/checkin-errors.js';
import { WEBHOOK_ERRORS } from '../webhooks/webhook-errors.js';
import { LOGIN_ERRORS } from '../flows/login/login-errors.js';
import { SHARE_ERRORS } from '../flows/share/share-errors.js';
import { LIVE_HTTP_ERRORS } from '../live/live-errors.js';

/**
 * Every error a caller can cause has a stable snake_case code and an HTTP
 * status. Each feature declares its own codes next to its code (e.g.
 * flows/checkin/checkin-errors.ts); the generic ones are here. Those tables
 * are plain data that import nothing, so the domain stays free of I/O; a route
 * lists the codes it can answer with `errorResponses(...)` (http/schemas.ts)
 * and the OpenAPI document shows them.
 */
const GENERIC_ERRORS = {
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
const USER_CODE_ERRORS = {
  unknown_code: 404,
  code_expired: 410,
  code_used: 409,
  claimed_elsewhere: 409,
  not_claimed: 409,
} as const satisfies Record<string, number>;

/** Every table by name; a code is declared in exactly one (test/unit/error-tables.test.ts). */
export const ERROR_TABLES = {
  generic: GENERIC_ERRORS,
  user_code: USER_CODE_ERRORS,
  accounts: AUTH_ERRORS,
  live: LIVE_HTTP_ERRORS,
  login: LOGIN_ERRORS,
  share: SHARE_ERRORS,
  checkin: CHECKIN_ERRORS,
  webhooks: WEBHOOK_ERRORS,
} as const;

export const ERROR_STATUS = {
  ...GENERIC_ERRORS,
  ...USER_CODE_ERRORS,
  ...AUTH_ERRORS,
  ...LIVE_HTTP_ERRORS,
  ...LOGIN_ERRORS,
  ...SHARE_ERRORS,
  ...CHECKIN_ERRORS,
  ...WEBHOOK_ERRORS,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

export class AppError extends Error {
  override name = 'AppError';
  readonly status: number;

  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.status = ERROR_STATUS[code];
  }
}

export const isAppError = (e: unknown): e is AppError => e instanceof AppError;
