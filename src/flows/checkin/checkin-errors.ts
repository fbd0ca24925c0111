import type { CodesOf } from '../../domain/errors.js';

/** Check-in. Refusals of a scan are answers, not errors: see domain/checkin.ts. */
export const CHECKIN_ERRORS = {
  device_revoked: 401,
  invalid_csv: 400,
} as const satisfies Record<string, number>;

// Adds these codes to the compile-time list (domain/errors.ts); http/error-codes.ts gives their statuses.
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
declare module '../../domain/errors.js' { interface ErrorCodes extends CodesOf<typeof CHECKIN_ERRORS> {} }
