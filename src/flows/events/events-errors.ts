import type { CodesOf } from '../../domain/errors.js';

/**
 * The organiser's events and sessions. Each code with its HTTP status;
 * http/error-codes.ts composes the tables.
 */
export const EVENTS_ERRORS = {
  /** Deleting an event at one of whose sessions a check-in was recorded: archive it instead (POST /events/{id}/archive). */
  event_has_checkins: 409,
  /** Deleting a session where a check-in was recorded: archive it instead (POST /sessions/{id}/archive). */
  session_has_checkins: 409,
} as const satisfies Record<string, number>;

// Adds these codes to the compile-time list (domain/errors.ts).
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
declare module '../../domain/errors.js' { interface ErrorCodes extends CodesOf<typeof EVENTS_ERRORS> {} }
