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

/** Sign-ins (cookie credentials of users; see migration 009). */
export interface SignInsTable {
  /** sha256 of the cookie value; the value itself is never stored. */
  id_hash: string;
  user_id: string;
  csrf_token: string;
  created_at: number;
  expires_at: number;
  ip: string;
  user_agent: string;
}

/** Consecutive failed sign-ins for one e-mail address (see migration 007). */
export interface SignInBackoffTable {
  /** sha256 of the normalised e-mail address. */
  email_hash: string;
  /** Attempts counted since the last success (each counted as it starts). */
  failures: number;
  last_attempt_at: number;
  /** No attempt for this address before this time (ms); 0 when not locked. */
  locked_until: number;
}

export interface ApiKeysTable {
  id: string;
  key_hash: string;
  name: string;
  user_id: string;
  created_at: number;
  last_used_at: number | null;
  revoked_at: number | null;
  /** Space-separated grants beyond acting as the owner, e.g. `login:approve:<client_id>` (migration 008). */
  scopes: string;
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
  /** JSON array of redirect URIs, compared exactly (domain/redirect-uri.ts). */
  redirect_uris: string;
  /** JSON array of post-logout redirect URIs. */
  post_logout_redirect_uris: string;
  /** Allowed grant types, space-separated (domain/client.ts GRANT_TYPES). */
  grant_types: string;
  backchannel_logout_uri: string | null;
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
  /** The /oauth/authorize visit whose page shows this request's QR (migration 021). */
  authorization_id: string | null;
  /** 1 once screen_ip / screen_user_agent are those of the browser watching the channel. */
  screen_watched: number;
}

/** One /oauth/authorize visit (migration 021). */
export interface AuthorizationsTable {
  id: string;
  client_id: string;
  /** sha256 of the cookie that binds the visit to the browser that made it. */
  browser_hash: string;
  redirect_uri: string;
  scopes: string;
  state: string | null;
  nonce: string | null;
  code_challenge: string | null;
  max_age: number | null;
  login_hint: string | null;
  /** prompt values, space-separated ('' when none). */
  prompt: string;
  status: string;
  version: number;
  created_at: number;
  expires_at: number;
  code_hash: string | null;
  code_expires_at: number | null;
  /** JSON of the approval the code carries. */
  approval: string | null;
  grant_id: string | null;
  screen_ip: string;
  screen_user_agent: string;
}

/** A signed-in screen or app: the `sid` of its tokens (migration 021). */
export interface OAuthGrantsTable {
  id: string;
  client_id: string;
  subject: string;
  /** The account that approved; null when an application's API key approved for its own user. */
  user_id: string | null;
  scopes: string;
  /** JSON of the claims its tokens carry. */
  claims: string;
  via: string;
  auth_time: number;
  created_at: number;
  last_used_at: number;
  revoked_at: number | null;
  screen_ip: string;
  screen_user_agent: string;
}

export interface RefreshTokensTable {
  token_hash: string;
  grant_id: string;
  created_at: number;
  expires_at: number;
  used_at: number | null;
}

export interface ShareRequestsTable {
  id: string;
  /** User code, 8 letters without the dash. */
  code: string;
  owner_id: string;
  owner_name: string;
  title: string | null;
  /** JSON of the shared fields; null once the share ended unapproved. */
  payload: string | null;
  status: string;
  version: number;
  created_at: number;
  expires_at: number;
  requester_id: string | null;
  requester_name: string | null;
  requester_email: string | null;
  requested_at: number | null;
  decided_at: number | null;
}

export interface SigningKeysTable {
  kid: string;
  alg: string;
  private_jwk: string;
  public_jwk: string;
  created_at: number;
}

/** QR check-in (migration 004). An attendee row is one person's registration for one event. */
export interface EventsTable {
  id: string;
  name: string;
  starts_at: number;
  ends_at: number;
  /** Ed25519 public key, raw 32 bytes, base64url. */
  public_key: string;
  /** Ed25519 private key, PKCS#8 DER, base64url. */
  private_key: string;
  created_by: string | null;
  created_at: number;
  /** Moves with every edit: edits are compare-and-set (migration 019). */
  version: number;
  /** Filed away: hidden from the default list and the scanners' picker. */
  archived_at: number | null;
}

export interface EventSessionsTable {
  id: string;
  event_id: string;
  name: string;
  place: string | null;
  starts_at: number;
  ends_at: number;
  opens_at: number;
  closes_at: number;
  closed_at: number | null;
  all_attendees: number;
  /** Version of the `session:<id>` channel. */
  version: number;
  created_at: number;
  /** Filed away: hidden from the scanners' picker (migration 019). */
  archived_at: number | null;
}

export interface AttendeesTable {
  id: string;
  event_id: string;
  user_id: string | null;
  name: string;
  email: string | null;
  link_token_hash: string | null;
  /** Version of the `pass:<id>` channel. */
  version: number;
  created_at: number;
  revoked_at: number | null;
  /** The language of their pass e-mail: `en` or `zh-CN` (null: `en`). */
  language: string | null;
  /** The organiser's note for the door staff (null: none). */
  note: string | null;
}

export interface SessionRegistrationsTable {
  session_id: string;
  attendee_id: string;
  created_at: number;
  revoked_at: number | null;
}

export interface SessionStaffTable {
  session_id: string;
  user_id: string;
  created_at: number;
}

export interface ScannerDevicesTable {
  id: string;
  event_id: string;
  session_id: string | null;
  name: string;
  token_hash: string;
  created_by: string | null;
  created_at: number;
  revoked_at: number | null;
}

export interface CheckinsTable {
  id: string;
  session_id: string;
  attendee_id: string;
  at: number;
  gate: string | null;
  method: string;
  by_user_id: string | null;
  by_device_id: string | null;
  exited_at: number | null;
  undone_at: number | null;
  undone_by: string | null;
}

export interface ScansTable {
  id: Generated<number>;
  /** When the server recorded it. */
  at: number;
  /** When the scanner says it scanned (offline scanners upload later). */
  scanned_at: number;
  session_id: string;
  attendee_id: string | null;
  method: string;
  direction: string;
  result: string;
  reason: string | null;
  checkin_id: string | null;
  /** `user:<id>` or `device:<id>`; a nonce is unique per actor. */
  actor_key: string;
  actor_name: string;
  gate: string | null;
  nonce: string;
  /** JSON of the answer given, replayed for a retried nonce. */
  response: string;
}

/**
 * Webhooks (migrations 005, 010): at most one endpoint per owner and the
 * outbox of deliveries. An owner is `<kind>:<id>`, e.g. `event:<id>` for an
 * event's check-in webhook.
 */
export interface WebhookEndpointsTable {
  owner: string;
  url: string;
  /** `whsec_...`, kept in clear: every delivery is signed with it. */
  secret: string;
  enabled: number;
  created_at: number;
  updated_at: number;
}

export interface WebhookDeliveriesTable {
  id: string;
  /** The endpoint's owner (`webhook_endpoints.owner`). */
  owner: string;
  /** `checkin.created`, `checkin.undone`, `ping`, ... */
  kind: string;
  /** JSON of the body's `data`. */
  payload: string;
  /** pending, delivered or failed. */
  status: string;
  attempts: number;
  next_attempt_at: number;
  /** The node holding `claim_token` may send it until then. */
  claimed_until: number | null;
  claim_token: string | null;
  /** HTTP status of the last attempt; null when no answer came. */
  last_status: number | null;
  last_error: string | null;
  created_at: number;
  delivered_at: number | null;
}

/** The QR queue (migration 011): a place, its services and counters. `version` is the `board:` channel's. */
export interface QueuesTable {
  id: string;
  name: string;
  timezone: string;
  /** base64url of the key entrance codes are signed with (domain/entrance-code.ts). */
  entrance_key: string;
  version: number;
  created_by: string | null;
  created_at: number;
  /** 1 when the place's static poster code is accepted (013-queue-devices). */
  poster_enabled: Generated<number>;
}

/** A display board or kiosk of a place; only the hash of its token is kept. */
export interface QueueDevicesTable {
  id: string;
  queue_id: string;
  name: string;
  /** 'board' | 'kiosk' */
  kind: string;
  token_hash: string;
  created_at: number;
  revoked_at: number | null;
}

export interface QueueServicesTable {
  id: string;
  queue_id: string;
  name: string;
  prefix: string;
  position: number;
  ask: string;
  max_waiting: number;
  near_ahead: number;
  no_show_seconds: number;
  more_time_places: number;
  open: number;
  /** The `line:` channel's version: one per change to the service's waiting set. */
  line_version: number;
  /** Tickets waiting now: moved by each change to the waiting set, with line_version. */
  waiting: Generated<number>;
}

export interface QueueCountersTable {
  id: string;
  queue_id: string;
  name: string;
  position: number;
  /** 1 while staffed (the wait estimate counts these), 0 when closed. */
  open: Generated<number>;
}

export interface QueueCounterServicesTable {
  counter_id: string;
  service_id: string;
}

export interface QueueStaffTable {
  queue_id: string;
  user_id: string;
  created_at: number;
}

/** The last ticket number given per service and local day. */
export interface QueueNumbersTable {
  service_id: string;
  day: string;
  last: number;
}

export interface TicketsTable {
  id: string;
  queue_id: string;
  service_id: string;
  day: string;
  number: string;
  seq: number;
  order_key: number;
  priority: number;
  status: string;
  /** sha256 of the ticket's token; the token itself is never stored. */
  token_hash: string;
  name: string | null;
  phone: string | null;
  counter_id: string | null;
  created_at: number;
  called_at: number | null;
  finished_at: number | null;
  recalls: number;
  more_time_used: number;
  version: number;
}

/** The recent changes of a service's waiting set (the `line:` channel's frames). */
export interface LineChangesTable {
  service_id: string;
  version: number;
  order_key: number;
  delta: number;
  at: number;
}

/** Web Push (migration 012): at most one browser subscription per owner (`ticket:<id>`). */
export interface PushSubscriptionsTable {
  owner: string;
  /** The push service's URL for the browser. */
  endpoint: string;
  /** The browser's P-256 public key and 16-byte auth secret, base64url (RFC 8291). */
  p256dh: string;
  auth: string;
  created_at: number;
}

export interface Database {
  users: UsersTable;
  sign_ins: SignInsTable;
  sign_in_backoff: SignInBackoffTable;
  api_keys: ApiKeysTable;
  server_secrets: ServerSecretsTable;
  audit_log: AuditLogTable;
  clients: ClientsTable;
  login_requests: LoginRequestsTable;
  authorizations: AuthorizationsTable;
  oauth_grants: OAuthGrantsTable;
  refresh_tokens: RefreshTokensTable;
  signing_keys: SigningKeysTable;
  share_requests: ShareRequestsTable;
  events: EventsTable;
  event_sessions: EventSessionsTable;
  attendees: AttendeesTable;
  session_registrations: SessionRegistrationsTable;
  session_staff: SessionStaffTable;
  scanner_devices: ScannerDevicesTable;
  checkins: CheckinsTable;
  scans: ScansTable;
  webhook_endpoints: WebhookEndpointsTable;
  webhook_deliveries: WebhookDeliveriesTable;
  queues: QueuesTable;
  queue_services: QueueServicesTable;
  queue_counters: QueueCountersTable;
  queue_counter_services: QueueCounterServicesTable;
  queue_staff: QueueStaffTable;
  queue_devices: QueueDevicesTable;
  queue_numbers: QueueNumbersTable;
  tickets: TicketsTable;
  line_changes: LineChangesTable;
  push_subscriptions: PushSubscriptionsTable;
  pass_links: PassLinksTable;
  pass_deliveries: PassDeliveriesTable;
}

/** An attendee's current personal link, sealed under the `pass_link_key` secret (see flows/events/pass-links.ts). */
export interface PassLinksTable {
  attendee_id: string;
  sealed: string;
  created_at: number;
}

/** One row per attendee: the latest pass e-mail job that covers them (see store/pass-deliveries.ts). */
export interface PassDeliveriesTable {
  attendee_id: string;
  event_id: string;
  job_id: string;
  /** queued | sending | sent | failed */
  status: string;
  attempts: number;
  claim_token: string | null;
  claimed_until: number | null;
  error: string | null;
  queued_at: number;
  sent_at: number | null;
  updated_at: number;
}
