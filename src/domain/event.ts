/**
 * The records of check-in as the server works with them: what the
 * repositories hand out (times in ms, flags as booleans) and take in. The
 * API's shapes are built from these by the features.
 */

/** What deciding a scan needs to know of a session (domain/checkin.ts). */
export interface SessionFacts {
  id: string;
  eventId: string;
  /** Check-in accepted from (ms). */
  opensAt: number;
  /** ... until (ms, exclusive). */
  closesAt: number;
  /** Closed by an organiser, whatever the time. */
  closedAt: number | null;
  /** Every attendee of the event may come, no per-session registration needed. */
  allAttendees: boolean;
}

/** What deciding a scan needs to know of an attendee. */
export interface AttendeeFacts {
  id: string;
  eventId: string;
  revokedAt: number | null;
}

/** An event; its private key signs its attendees' codes. */
export interface CheckinEvent {
  id: string;
  name: string;
  startsAt: number;
  endsAt: number;
  /** Ed25519, SPKI PEM: offline scanners check codes with it. */
  publicKey: string;
  privateKey: string;
  createdBy: string | null;
  createdAt: number;
  /** Moves with every edit (compare-and-set). */
  version: number;
  /** Filed away (ms), or null: hidden from the default list and the scanners' picker. */
  archivedAt: number | null;
}

/** A part of an event that people check in to (a talk, a hall, a day). */
export interface CheckinSession extends SessionFacts {
  name: string;
  place: string | null;
  startsAt: number;
  endsAt: number;
  /** Of its `session:` channel. */
  version: number;
  createdAt: number;
  /** Filed away (ms), or null: hidden from the scanners' picker. */
  archivedAt: number | null;
}

/** One person's registration for one event. */
export interface Attendee extends AttendeeFacts {
  userId: string | null;
  name: string;
  email: string | null;
  /** Of their `pass:` channel. */
  version: number;
  createdAt: number;
}

/** A provisioned scanner: scans at its event's sessions, or at its one session. */
export interface ScannerDevice {
  id: string;
  eventId: string;
  /** Null: any session of the event. */
  sessionId: string | null;
  name: string;
  createdBy: string | null;
  createdAt: number;
  revokedAt: number | null;
}

/** A live registration of an attendee for a session. */
export interface Registration {
  sessionId: string;
  attendeeId: string;
}
