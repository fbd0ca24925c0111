import type { CodesOf } from '../domain/errors.js';

/**
 * Managing accounts (the console's Users section, `/api/v1/users`) and what a
 * disabled account hears. Each code with its HTTP status; http/error-codes.ts
 * composes the tables.
 */
export const USERS_ERRORS = {
  /** The right password of a disabled account: signing in is refused (a wrong password stays `invalid_credentials`). */
  account_disabled: 403,
  /** The change would leave no enabled admin: demoting or disabling the last one. */
  last_admin: 409,
  /** An admin disabling their own account (they would lock themselves out). */
  cannot_disable_self: 409,
} as const satisfies Record<string, number>;

// Adds these codes to the compile-time list (domain/errors.ts).
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
declare module '../domain/errors.js' { interface ErrorCodes extends CodesOf<typeof USERS_ERRORS> {} }
