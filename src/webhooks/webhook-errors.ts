import type { CodesOf } from '../domain/errors.js';

/** Webhooks: the admin API of an owner's webhook (an event's, ...). */
export const WEBHOOK_ERRORS = {
  invalid_webhook_url: 400,
  webhook_not_configured: 404,
  webhook_disabled: 409,
} as const satisfies Record<string, number>;

declare module '../domain/errors.js' {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type
  interface ErrorCodes extends CodesOf<typeof WEBHOOK_ERRORS> {}
}
