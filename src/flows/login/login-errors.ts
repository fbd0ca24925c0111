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
  /** A redirect, post-logout or back-channel logout URI an application may not register (domain/redirect-uri.ts). */
  invalid_redirect_uri: 400,
  /** An /oauth/authorize page that is not open in this browser (or never was). */
  unknown_authorization: 404,
  /** The page asked to go on before its QR was approved. */
  not_approved: 409,
  /** A signed-in screen or app that is not the caller's, or is gone. */
  unknown_grant: 404,
} as const satisfies Record<string, number>;

// Adds these codes to the compile-time list (domain/errors.ts); http/error-codes.ts gives their statuses.
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
declare module '../../domain/errors.js' { interface ErrorCodes extends CodesOf<typeof LOGIN_ERRORS> {} }
