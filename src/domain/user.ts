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
