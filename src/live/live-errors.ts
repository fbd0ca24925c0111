import type { CodesOf } from '../domain/errors.js';

/**
 * HTTP statuses of the live channel's error codes, as SSE, long-poll and a
 * refused WebSocket upgrade answer them. What each code means, and whether a
 * retry can succeed, is in protocol.ts (`LIVE_ERRORS`), shared with the SDK.
 */
export const LIVE_HTTP_ERRORS = {
  unknown_channel: 404,
  invalid_token: 401,
  token_expired: 401,
  access_revoked: 403,
  too_many_channels: 429,
  upgrade_required: 426,
  invalid_frame: 400,
  unknown_op: 400,
} as const satisfies Record<string, number>;

// Adds these codes to the compile-time list (domain/errors.ts); http/error-codes.ts gives their statuses.
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
declare module '../domain/errors.js' { interface ErrorCodes extends CodesOf<typeof LIVE_HTTP_ERRORS> {} }
