import type { CodesOf } from '../../domain/errors.js';

/** The QR queue. */
export const QUEUE_ERRORS = {
  /** A stale or forged entrance code: scan the code at the entrance again. */
  invalid_entrance_code: 403,
  service_closed: 409,
  queue_full: 409,
  /** Call next with nobody waiting for the counter's services. */
  queue_empty: 404,
  more_time_used: 409,
  /** E.g. done on a waiting ticket. */
  invalid_ticket_state: 409,
  /** The poster code of a place whose posters are off. */
  poster_disabled: 409,
} as const satisfies Record<string, number>;

declare module '../../domain/errors.js' {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type
  interface ErrorCodes extends CodesOf<typeof QUEUE_ERRORS> {}
}
