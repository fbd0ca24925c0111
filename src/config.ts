import { parseArgs } from 'node:util';
import net from 'node:net';
import path from 'node:path';

/**
 * One configuration schema: every key has an environment variable, a CLI flag
 * of the same name, a default and a one-line description. It is read once at
 * start-up, validated, and frozen.
 */
type Kind = 'string' | 'int' | 'bool' | 'url' | 'level' | 'proxy';

interface KeySpec {
  env: string;
  kind: Kind;
  default: string | number | boolean | undefined;
  description: string;
  min?: number;
  max?: number;
}

export const CONFIG_KEYS = {
  port: { env: 'SCANPASS_PORT', kind: 'int', default: 8080, min: 0, max: 65535, description: 'TCP port the HTTP server listens on' },
  host: { env: 'SCANPASS_HOST', kind: 'string', default: '0.0.0.0', description: 'Address the HTTP server binds to' },
  dataDir: { env: 'SCANPASS_DATA_DIR', kind: 'string', default: './.scanpass', description: 'Folder for the SQLite database (used when no database URL is set)' },
  publicUrl: { env: 'SCANPASS_PUBLIC_URL', kind: 'url', default: undefined, description: 'Origin put into QR codes and links (default http://localhost:<port>)' },
  databaseUrl: { env: 'SCANPASS_DATABASE_URL', kind: 'url', default: undefined, description: 'postgres:// URL; when unset, SQLite under the data folder is used' },
  databasePoolSize: { env: 'SCANPASS_DATABASE_POOL_SIZE', kind: 'int', default: 10, min: 1, max: 1000, description: "Most Postgres connections this node holds at once; every node's together must stay under the server's max_connections (100 by default). Not used on SQLite" },
  redisUrl: { env: 'SCANPASS_REDIS_URL', kind: 'url', default: undefined, description: 'redis:// URL; when set, nodes share live events and rate limits through Redis' },
  logLevel: { env: 'SCANPASS_LOG_LEVEL', kind: 'level', default: 'info', description: 'pino log level: fatal, error, warn, info, debug, trace or silent' },
  accessLog: { env: 'SCANPASS_ACCESS_LOG', kind: 'bool', default: false, description: 'Log one line per answered request at info: method, route pattern (never the raw URL, whose path or query may hold a pass link or channel token), status and time. Off by default: every scan is recorded in the database, and at a busy door a line per request cost about 15% of a check-in\'s CPU' },
  trustProxy: { env: 'SCANPASS_TRUST_PROXY', kind: 'proxy', default: false, description: 'Which X-Forwarded-* hops to believe: false, the number of proxies in front (1, 2), or their addresses/CIDRs (10.0.0.0/8,::1); `true` is refused' },
  geoipDb: { env: 'SCANPASS_GEOIP_DB', kind: 'string', default: undefined, description: 'Path of a MaxMind-format city database (.mmdb: GeoLite2-City, GeoIP2-City or DB-IP City Lite) from which the phone shows roughly where a sign-in request comes from ("Shanghai, China"); when unset no locations are shown; a file that cannot be read stops the start' },
  tokenSecret: { env: 'SCANPASS_TOKEN_SECRET', kind: 'string', default: undefined, description: 'Key for channel tokens (at least 32 chars); when unset one is generated and kept in the database' },
  adminEmail: { env: 'SCANPASS_ADMIN_EMAIL', kind: 'string', default: 'admin@scanpass.local', description: 'Email of the admin account created on first start' },
  adminPassword: { env: 'SCANPASS_ADMIN_PASSWORD', kind: 'string', default: undefined, description: 'Password of the first admin (default: random, printed once)' },
  sessionTtlHours: { env: 'SCANPASS_SESSION_TTL_HOURS', kind: 'int', default: 24 * 14, min: 1, max: 24 * 365, description: 'How long a sign-in lasts' },
  bodyLimitBytes: { env: 'SCANPASS_BODY_LIMIT_BYTES', kind: 'int', default: 64 * 1024, min: 1024, max: 64 * 1024 * 1024, description: 'Largest accepted request body' },
  rateLimitPerMinute: { env: 'SCANPASS_RATE_LIMIT_PER_MINUTE', kind: 'int', default: 600, min: 1, max: 1_000_000, description: 'Requests per minute per client address, across all nodes' },
  signInLimitPerMinute: { env: 'SCANPASS_SIGNIN_LIMIT_PER_MINUTE', kind: 'int', default: 10, min: 1, max: 100_000, description: 'Sign-in attempts per minute per client address' },
  signInBackoffAfter: { env: 'SCANPASS_SIGNIN_BACKOFF_AFTER', kind: 'int', default: 5, min: 1, max: 1000, description: 'Consecutive failed sign-ins for one e-mail address before it waits 1 s, doubling with each further failure' },
  signInBackoffMaxSeconds: { env: 'SCANPASS_SIGNIN_BACKOFF_MAX_SECONDS', kind: 'int', default: 900, min: 1, max: 86400, description: 'Longest wait of the per-account sign-in back-off' },
  liveTokenTtlSeconds: { env: 'SCANPASS_LIVE_TOKEN_TTL_SECONDS', kind: 'int', default: 900, min: 2, max: 86400, description: 'Lifetime of a channel token; also the longest a node that missed a revocation keeps serving it' },
  livePingSeconds: { env: 'SCANPASS_LIVE_PING_SECONDS', kind: 'int', default: 25, min: 1, max: 3600, description: 'WebSocket ping and SSE heartbeat interval' },
  liveMaxBufferedBytes: { env: 'SCANPASS_LIVE_MAX_BUFFERED_BYTES', kind: 'int', default: 256 * 1024, min: 1024, max: 64 * 1024 * 1024, description: 'A WebSocket whose unsent data passes this is cut off (no close frame; the client sees 1006)' },
  liveMaxFrameBytes: { env: 'SCANPASS_LIVE_MAX_FRAME_BYTES', kind: 'int', default: 4096, min: 256, max: 1024 * 1024, description: 'Largest client WebSocket frame; larger closes with 1009' },
  liveMaxChannelsPerSocket: { env: 'SCANPASS_LIVE_MAX_CHANNELS_PER_SOCKET', kind: 'int', default: 100, min: 1, max: 10_000, description: 'Channels one WebSocket may subscribe to' },
  liveMaxSocketsPerAddress: { env: 'SCANPASS_LIVE_MAX_SOCKETS_PER_ADDRESS', kind: 'int', default: 500, min: 1, max: 1_000_000, description: 'Open WebSockets per client address (an IPv6 /64 counts as one) on each node; a venue behind one NAT needs one per screen and phone' },
  liveUpgradesPerMinute: { env: 'SCANPASS_LIVE_UPGRADES_PER_MINUTE', kind: 'int', default: 600, min: 1, max: 10_000_000, description: 'New WebSockets per client address per minute on each node, taken as one burst at most (a NAT reconnecting after a restart)' },
  loginTtlSeconds: { env: 'SCANPASS_LOGIN_TTL_SECONDS', kind: 'int', default: 300, min: 2, max: 3600, description: 'How long a QR login request (and its codes) lives' },
  loginIntervalSeconds: { env: 'SCANPASS_LOGIN_INTERVAL_SECONDS', kind: 'int', default: 5, min: 1, max: 60, description: 'RFC 8628 polling interval; polling faster gets slow_down' },
  shareTtlSeconds: { env: 'SCANPASS_SHARE_TTL_SECONDS', kind: 'int', default: 300, min: 2, max: 3600, description: 'How long a QR share code lives before it is used' },
  checkinCodesAhead: { env: 'SCANPASS_CHECKIN_CODES_AHEAD', kind: 'int', default: 20, min: 2, max: 240, description: 'How many 15-second check-in codes a pass receives at once' },
  checkinMaxScanAgeSeconds: { env: 'SCANPASS_CHECKIN_MAX_SCAN_AGE_SECONDS', kind: 'int', default: 3600, min: 30, max: 7 * 86400, description: 'How late an offline scanner may upload a scan (its scanned_at)' },
  checkinSignaturePool: { env: 'SCANPASS_CHECKIN_SIGNATURE_POOL', kind: 'string', default: 'auto', description: 'Whether a busy door has its codes\' signatures checked in libuv\'s thread pool, beside the event loop: on, off, or auto (on when the machine has more than two cores)' },
  checkinScansPerMinute: { env: 'SCANPASS_CHECKIN_SCANS_PER_MINUTE', kind: 'int', default: 6000, min: 1, max: 10_000_000, description: 'Check-in calls per minute per client address (scanners at a venue share one)' },
  webhookTickMs: { env: 'SCANPASS_WEBHOOK_TICK_MS', kind: 'int', default: 1000, min: 10, max: 60_000, description: 'How often each node looks for due check-in webhook deliveries' },
  webhookRetrySchedule: { env: 'SCANPASS_WEBHOOK_RETRY_SCHEDULE', kind: 'string', default: '10s,30s,2m,10m,1h,3h,6h', description: 'Waits between webhook attempts (ms, s, m, h; +-20 % jitter); after the last a delivery is failed' },
  webhookAllowPrivate: { env: 'SCANPASS_WEBHOOK_ALLOW_PRIVATE', kind: 'bool', default: false, description: 'Let webhooks reach loopback, private and link-local addresses (labs and tests only)' },
  webhookTimeoutSeconds: { env: 'SCANPASS_WEBHOOK_TIMEOUT_SECONDS', kind: 'int', default: 10, min: 1, max: 120, description: 'How long a webhook receiver has to answer one attempt' },
  smtpUrl: { env: 'SCANPASS_SMTP_URL', kind: 'url', default: undefined, description: 'SMTP server for passes by e-mail: smtp://user:pass@host:587 (STARTTLS when offered) or smtps://user:pass@host:465; when unset, sending passes by e-mail is refused (mail_not_configured)' },
  mailFrom: { env: 'SCANPASS_MAIL_FROM', kind: 'string', default: undefined, description: 'From address of pass e-mails, e.g. "Expo 2026 <passes@example.org>" (default scanpass@ the public URL\'s host)' },
  pushSubject: { env: 'SCANPASS_PUSH_SUBJECT', kind: 'string', default: undefined, description: 'Contact (mailto: or https: URL) sent to Web Push services with every notification (VAPID `sub`); default the public URL when it is https, else mailto: the admin email' },
  accessTokenTtlSeconds: { env: 'SCANPASS_ACCESS_TOKEN_TTL_SECONDS', kind: 'int', default: 3600, min: 60, max: 86400, description: 'Lifetime of issued access and id tokens' },
  refreshTokenTtlDays: { env: 'SCANPASS_REFRESH_TOKEN_TTL_DAYS', kind: 'int', default: 30, min: 1, max: 3650, description: 'Lifetime of a refresh token (scope offline_access); each use gives a new one and spends the old' },
  userCodeAttemptsPerMinute: { env: 'SCANPASS_USER_CODE_ATTEMPTS_PER_MINUTE', kind: 'int', default: 30, min: 1, max: 100_000, description: 'User-code lookups per minute per client address' },
  userCodeFailuresPerMinute: { env: 'SCANPASS_USER_CODE_FAILURES_PER_MINUTE', kind: 'int', default: 1000, min: 1, max: 10_000_000, description: 'Wrong user codes per minute across all addresses before lookups pause' },
  sqliteSync: { env: 'SCANPASS_SQLITE_SYNC', kind: 'string', default: 'NORMAL', description: 'SQLite synchronous mode: NORMAL survives a process crash, FULL also a power loss' },
  shutdownGraceSeconds: { env: 'SCANPASS_SHUTDOWN_GRACE_SECONDS', kind: 'int', default: 10, min: 0, max: 600, description: 'How long shutdown waits for requests in flight' },
} as const satisfies Record<string, KeySpec>;

type Specs = typeof CONFIG_KEYS;
type ValueOf<S extends KeySpec> = S['kind'] extends 'int' ? number : S['kind'] extends 'bool' ? boolean : S['kind'] extends 'proxy' ? TrustProxySetting : string;
type Required<K extends keyof Specs> = Specs[K]['default'] extends undefined ? never : K;
type RequiredKeys = { [K in keyof Specs]: Required<K> }[keyof Specs];

export type Config = Readonly<
  { [K in RequiredKeys]: ValueOf<Specs[K]> } & { [K in Exclude<keyof Specs, RequiredKeys>]?: ValueOf<Specs[K]> }
> & { readonly publicUrl: string };

export class ConfigError extends Error {
  override name = 'ConfigError';
}

const LEVELS = new Set(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']);

/**
 * Which proxies' X-Forwarded-For entries to believe (see http/client-address):
 * false, a hop count, or a comma-separated list of addresses and CIDRs
 * (also `loopback`, `linklocal`, `uniquelocal`).
 */
export type TrustProxySetting = false | number | string;
const PROXY_NAMES = new Set(['loopback', 'linklocal', 'uniquelocal']);

function parseTrustProxy(env: string, raw: string): TrustProxySetting {
  const v = raw.trim();
  if (/^(0|false|no|off)$/i.test(v)) return false;
  // `true` trusted every hop, so any client could forge its address: the operator must say how many proxies there are.
  if (/^(true|yes|on)$/i.test(v)) {
    throw new ConfigError(`${env}=true would believe every X-Forwarded-For entry, which any client can forge; give the number of proxies in front of scanpass (e.g. 1) or their addresses (e.g. 10.0.0.0/8,127.0.0.1)`);
  }
  if (/^\d+$/.test(v)) {
    const n = Number(v);
    if (n > 100) throw new ConfigError(`${env} must be a hop count up to 100, got ${n}`);
    return n;
  }
  const items = v.split(',').map((x) => x.trim()).filter(Boolean);
  for (const item of items) {
    const [addr, prefix, ...rest] = item.split('/');
    const family = net.isIP(addr ?? '');
    const prefixOk = prefix === undefined || (/^\d+$/.test(prefix) && Number(prefix) <= (family === 6 ? 128 : 32));
    if (!PROXY_NAMES.has(item) && (family === 0 || !prefixOk || rest.length > 0)) {
      throw new ConfigError(`${env} must be false, a hop count, or proxy addresses/CIDRs separated by commas; "${item}" is none of these`);
    }
  }
  if (items.length === 0) throw new ConfigError(`${env} must be false, a hop count, or proxy addresses`);
  return items.join(',');
}

function parseValue(key: string, spec: KeySpec, raw: string): string | number | boolean {
  switch (spec.kind) {
    case 'int': {
      if (!/^-?\d+$/.test(raw.trim())) throw new ConfigError(`${spec.env} must be a whole number, got "${raw}"`);
      const n = Number(raw);
      if ((spec.min !== undefined && n < spec.min) || (spec.max !== undefined && n > spec.max)) {
        throw new ConfigError(`${spec.env} must be between ${spec.min} and ${spec.max}, got ${n}`);
      }
      return n;
    }
    case 'bool':
      if (/^(1|true|yes|on)$/i.test(raw)) return true;
      if (/^(0|false|no|off)$/i.test(raw)) return false;
      throw new ConfigError(`${spec.env} must be true or false, got "${raw}"`);
    case 'url':
      try {
        if (key === 'smtpUrl' && !/^smtps?:$/.test(new URL(raw).protocol)) throw new ConfigError(`${spec.env} must be an smtp:// or smtps:// URL, got "${raw.replace(/\/\/[^@/]*@/, '//***@')}"`);
        return new URL(raw).toString().replace(/\/$/, '');
      } catch (err) {
        if (err instanceof ConfigError) throw err;
        throw new ConfigError(`${spec.env} must be a URL, got "${raw}"`);
      }
    case 'proxy':
      return parseTrustProxy(spec.env, raw);
    case 'level':
      if (!LEVELS.has(raw)) throw new ConfigError(`${spec.env} must be one of ${[...LEVELS].join(', ')}`);
      return raw;
    case 'string':
      if (key === 'tokenSecret' && raw.length < 32) throw new ConfigError(`${spec.env} must be at least 32 characters`);
      if (key === 'pushSubject' && !/^(mailto:[^\s@]+@[^\s@]+|https:\/\/[^\s/]+(\/\S*)?)$/i.test(raw)) throw new ConfigError(`${spec.env} must be a mailto: address or an https:// URL`);
      if (key === 'mailFrom' && !/^[^\r\n]*[^\s@<>]+@[^\s@<>]+>?$/.test(raw.trim())) throw new ConfigError(`${spec.env} must be an e-mail address, optionally with a name: "Name <address@example.org>"`);
      if (key === 'sqliteSync' && !/^(NORMAL|FULL)$/.test(raw)) throw new ConfigError(`${spec.env} must be NORMAL or FULL`);
      if (key === 'checkinSignaturePool' && !/^(auto|on|off)$/.test(raw)) throw new ConfigError(`${spec.env} must be auto, on or off`);
      return raw;
  }
}

const flagName = (key: string) => key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

/** `parseArgs` options for every configuration flag (`--port`, `--database-url`, ...). */
export const configFlagOptions = () =>
  Object.fromEntries(Object.keys(CONFIG_KEYS).map((k) => [flagName(k), { type: 'string' as const }])) as Record<string, { type: 'string' }>;

/**
 * Reads the configuration from (in rising priority) defaults, environment
 * variables, CLI flags (`--port 9000`, `--database-url ...`) and `overrides`.
 */
export function loadConfig(
  options: { env?: NodeJS.ProcessEnv; argv?: string[]; flags?: Record<string, unknown>; overrides?: Partial<Record<keyof Specs, unknown>> } = {},
): Config {
  const env = options.env ?? process.env;
  const flags =
    options.flags ?? parseArgs({ args: options.argv ?? [], options: configFlagOptions(), strict: true, allowPositionals: true }).values;
  const out: Record<string, unknown> = {};
  for (const [key, spec] of Object.entries(CONFIG_KEYS) as [string, KeySpec][]) {
    const override = options.overrides?.[key as keyof Specs];
    const raw = (flags[flagName(key)] as string | undefined) ?? env[spec.env];
    if (override !== undefined) out[key] = override;
    else if (raw !== undefined && raw !== '') out[key] = parseValue(key, spec, String(raw));
    else out[key] = spec.default;
  }
  out.dataDir = path.resolve(String(out.dataDir));
  out.publicUrl ??= `http://localhost:${out.port === 0 ? 8080 : out.port}`;
  return Object.freeze(out) as Config;
}

/** Markdown table of every key, for `scanpass config` and the README. */
export function describeConfig(): string {
  const rows = Object.entries(CONFIG_KEYS).map(
    ([key, s]) => `| \`${s.env}\` | \`--${flagName(key)}\` | ${s.default === undefined ? '' : `\`${s.default}\``} | ${s.description} |`,
  );
  return ['| Variable | Flag | Default | What it sets |', '| --- | --- | --- | --- |', ...rows].join('\n');
}
