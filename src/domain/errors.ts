/**
 * Every error a caller can cause has a stable snake_case code and an HTTP
 * status. Features declare their codes here so the set stays in one place and
 * the OpenAPI document can list them.
 */
export const ERROR_STATUS = {
  // generic
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
  // accounts
  invalid_credentials: 401,
  csrf_failed: 403,
  email_taken: 409,
  unknown_user: 404,
  weak_password: 400,
  // live
  unknown_channel: 404,
  invalid_token: 401,
  token_expired: 401,
  access_revoked: 403,
  too_many_channels: 429,
  upgrade_required: 426,
  invalid_frame: 400,
  unknown_op: 400,
  // login and share requests, by user code
  unknown_code: 404,
  code_expired: 410,
  code_used: 409,
  claimed_elsewhere: 409,
  not_claimed: 409,
  share_revoked: 410,
  match_required: 400,
  match_mismatch: 403,
  /** An API key without `login:approve:<client_id>` for the request's application. */
  insufficient_scope: 403,
  unknown_client: 404,
  client_exists: 409,
  invalid_scope: 400,
  // check-in (refusals of a scan are answers, not errors; see domain/checkin.ts)
  device_revoked: 401,
  // check-in webhooks
  invalid_webhook_url: 400,
  webhook_not_configured: 404,
  webhook_disabled: 409,
  invalid_csv: 400,
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
