import { AUTH_ERRORS } from '../auth/auth-errors.js';
import { USERS_ERRORS } from '../auth/users-errors.js';
import { GENERIC_ERRORS, USER_CODE_ERRORS, type ErrorCode } from '../domain/errors.js';
import { CHECKIN_ERRORS } from '../flows/checkin/checkin-errors.js';
import { EVENTS_ERRORS } from '../flows/events/events-errors.js';
import { LOGIN_ERRORS } from '../flows/login/login-errors.js';
import { SHARE_ERRORS } from '../flows/share/share-errors.js';
import { QUEUE_ERRORS } from '../flows/queue/queue-errors.js';
import { LIVE_HTTP_ERRORS } from '../live/live-errors.js';
import { WEBHOOK_ERRORS } from '../webhooks/webhook-errors.js';
import { MAIL_ERRORS } from '../mail/mail-errors.js';

/**
 * The HTTP status of every error code: each feature's table, composed here,
 * at the edge that answers with them. A code is declared in exactly one table
 * (test/unit/error-tables.test.ts); a code declared (domain/errors.ts
 * `ErrorCodes`) but missing here fails to compile.
 */
export const ERROR_TABLES = {
  generic: GENERIC_ERRORS,
  user_code: USER_CODE_ERRORS,
  accounts: AUTH_ERRORS,
  users: USERS_ERRORS,
  live: LIVE_HTTP_ERRORS,
  login: LOGIN_ERRORS,
  share: SHARE_ERRORS,
  checkin: CHECKIN_ERRORS,
  events: EVENTS_ERRORS,
  queue: QUEUE_ERRORS,
  webhooks: WEBHOOK_ERRORS,
  mail: MAIL_ERRORS,
} as const;

export const ERROR_STATUS = {
  ...GENERIC_ERRORS,
  ...USER_CODE_ERRORS,
  ...AUTH_ERRORS,
  ...USERS_ERRORS,
  ...LIVE_HTTP_ERRORS,
  ...LOGIN_ERRORS,
  ...SHARE_ERRORS,
  ...CHECKIN_ERRORS,
  ...EVENTS_ERRORS,
  ...QUEUE_ERRORS,
  ...WEBHOOK_ERRORS,
  ...MAIL_ERRORS,
} as const satisfies Record<ErrorCode, number>;

export const statusOf = (code: ErrorCode): number => ERROR_STATUS[code];
