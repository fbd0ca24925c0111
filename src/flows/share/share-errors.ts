import type { CodesOf } from '../../domain/errors.js';

/** QR share. The codes about a user code itself (`unknown_code`, `code_expired`...) are shared with login and live in domain/errors.ts. */
export const SHARE_ERRORS = {
  share_revoked: 410,
} as const satisfies Record<string, number>;

// Adds these codes to the compile-time list (domain/errors.ts); http/error-codes.ts gives their statuses.
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
declare module '../../domain/errors.js' { interface ErrorCodes extends CodesOf<typeof SHARE_ERRORS> {} }
