import type { CodesOf } from '../../domain/errors.js';

/**
 * QR login (the phone's side) and applications. The codes about a user code
 * itself (`unknown_code`, `code_expired`...) are shared with share and live in
 * domain/errors.ts. The OAuth endpoints answer RFC 6749's own codes (oauth-error.ts).
 */
export const LOGIN_ERRORS = {
  match_required: 400,
  match_mismatch: 403,
  /** An API key without `login:approve:<client_id>` for the request's application. */
  insufficient_scope: 403,
  unknown_client: 404,
  client_exists: 409,
  invalid_scope: 400,
} as const satisfies Record<string, number>;

// Adds these codes to the compile-time list (domain/errors.ts); http/error-codes.ts gives their statuses.
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
declare module '../../domain/errors.js' { interface ErrorCodes extends CodesOf<typeof LOGIN_ERRORS> {} }
