import type { Generated } from 'kysely';

/** Row types of every table. Times are milliseconds since the epoch. */
export interface UsersTable {
  id: string;
  email: string;
  name: string;
  password_hash: string;
  role: string;
  created_at: number;
  disabled_at: number | null;
}

export interface SessionsTable {
  /** sha256 of the cookie value; the value itself is never stored. */
  id_hash: string;
  user_id: string;
  csrf_token: string;
  created_at: number;
  expires_at: number;
  ip: string;
  user_agent: string;
}

export interface ApiKeysTable {
  id: string;
  key_hash: string;
  name: string;
  user_id: string;
  created_at: number;
  last_used_at: number | null;
  revoked_at: number | null;
}

export interface ServerSecretsTable {
  name: string;
  value: string;
  created_at: number;
}

export interface AuditLogTable {
  id: Generated<number>;
  at: number;
  actor_id: string | null;
  action: string;
  subject: string;
  outcome: string;
  detail: string;
  ip: string | null;
}

export interface ClientsTable {
  client_id: string;
  name: string;
  /** sha256 of the secret; null for a public client. */
  secret_hash: string | null;
  /** Allowed scopes, space-separated. */
  scopes: string;
  owner_id: string | null;
  created_at: number;
  disabled_at: number | null;
}

export interface LoginRequestsTable {
  id: string;
  device_code_hash: string;
  user_code: string;
  client_id: string;
  scopes: string;
  status: string;
  version: number;
  created_at: number;
  expires_at: number;
  interval_s: number;
  last_poll_at: number | null;
  claimed_by: string | null;
  claimed_at: number | null;
  live_screen: number;
  match_number: number | null;
  /** JSON array of three numbers. */
  match_choices: string | null;
  /** JSON of the Approval. */
  approval: string | null;
  decided_at: number | null;
  deny_reason: string | null;
  screen_ip: string;
  screen_user_agent: string;
}

export interface SigningKeysTable {
  kid: string;
  alg: string;
  private_jwk: string;
  public_jwk: string;
  created_at: number;
}

export interface Database {
  users: UsersTable;
  sessions: SessionsTable;
  api_keys: ApiKeysTable;
  server_secrets: ServerSecretsTable;
  audit_log: AuditLogTable;
  clients: ClientsTable;
  login_requests: LoginRequestsTable;
  signing_keys: SigningKeysTable;
}
