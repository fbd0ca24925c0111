import type { CodesOf } from '../domain/errors.js';

/** Webhooks: the admin API of an owner's webhook (an event's, ...). */
export const WEBHOOK_ERRORS = {
  invalid_webhook_url: 400,
  webhook_not_configured: 404,
  webhook_disabled: 409,
} as const satisfies Record<string, number>;

// Adds these codes to the compile-time list (domain/errors.ts); http/error-codes.ts gives their statuses.
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
declare module '../domain/errors.js' { interface ErrorCodes extends CodesOf<typeof WEBHOOK_ERRORS> {} }
