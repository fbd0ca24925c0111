/** Webhooks: the admin API of an owner's webhook (an event's, ...). */
export const WEBHOOK_ERRORS = {
  invalid_webhook_url: 400,
  webhook_not_configured: 404,
  webhook_disabled: 409,
} as const satisfies Record<string, number>;
