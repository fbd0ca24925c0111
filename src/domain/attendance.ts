/**
 * The read model of attendance (who was expected where, who came): what the
 * attendance export and the name search work from.
 */

/** A live (not undone) check-in, with who made it. */
export interface AttendanceCheckin {
  id: string;
  session_id: string;
  attendee_id: string;
  at: number;
  gate: string | null;
  exited_at: number | null;
  /** The staff account's or the device's name, as it is now. */
  by: string | null;
}

/** An attendee of the event, revoked or not. */
export interface AttendancePerson {
  id: string;
  name: string;
  email: string | null;
  revoked_at: number | null;
}

/** A registration of an attendee for a session, and whether it was revoked. */
export interface AttendanceRegistration {
  session_id: string;
  attendee_id: string;
  revoked: boolean;
}
