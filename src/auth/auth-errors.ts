import type { CodesOf } from '../domain/errors.js';

/**
 * Accounts: sign-in, users, API keys. Each code with its HTTP status; the
 * OpenAPI document lists them per route (see http/schemas.ts `errorResponses`).
 */
export const AUTH_ERRORS = {
  invalid_credentials: 401,
  /** A cookie-authenticated write without the sign-in's CSRF token (every guarded route). */
  csrf_failed: 403,
  email_taken: 409,
  unknown_user: 404,
  weak_password: 400,
} as const satisfies Record<string, number>;

// Adds these codes to the compile-time list (domain/errors.ts); http/error-codes.ts gives their statuses.
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
declare module '../domain/errors.js' { interface ErrorCodes extends CodesOf<typeof AUTH_ERRORS> {} }
