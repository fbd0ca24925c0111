import type { Role } from './roles.js';

/** An account, as the server and its API show it (never its password hash). */
export interface User {
  id: string;
  email: string;
  name: string;
  role: Role;
  created_at: number;
  disabled: boolean;
}

/** A staff account assigned to something: a session of an event, a place with a queue. */
export interface StaffMember {
  id: string;
  name: string;
  email: string;
  /** When they were made staff of it. */
  since: number;
}
