import type { CodesOf } from '../domain/errors.js';

/**
 * Outgoing e-mail (passes by e-mail): asked to send when no SMTP server is
 * configured. 409, not 5xx: the server is fine, its settings do not allow it.
 */
export const MAIL_ERRORS = {
  mail_not_configured: 409,
} as const satisfies Record<string, number>;

// Adds these codes to the compile-time list (domain/errors.ts); http/error-codes.ts gives their statuses.
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
declare module '../domain/errors.js' { interface ErrorCodes extends CodesOf<typeof MAIL_ERRORS> {} }
