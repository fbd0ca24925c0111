import { parseArgs } from 'node:util';
import pino from 'pino';
import { MemoryBus } from './live/memory-bus.js';
import { CONFIG_KEYS, ConfigError, configFlagOptions, describeConfig, loadConfig } from './config.js';
import { DEVICE_CODE_GRANT } from './domain/client.js';
import { AppError } from './domain/errors.js';
import { isRole, ROLES } from './domain/roles.js';
import { createServices } from './services.js';
import { openStore } from './store/database.js';
import { startNode } from './node.js';

const USAGE = `scanpass: self-hosted QR login, share, check-in and queues

Usage:
  scanpass [serve] [--port 8080] [--database-url postgres://...] [...]   run a node
  scanpass user add --email E --password P --role admin|staff|member [--name N]
  scanpass client add --name N [--client-id ID] [--secret] [--scopes "openid profile"] [--owner EMAIL]
                     [--redirect-uri URI]... [--post-logout-redirect-uri URI]...
                     [--grant authorization_code|refresh_token|device_code]... [--backchannel-logout-uri URI]
  scanpass config                                                        list every setting
  scanpass help

Every setting is an environment variable (SCANPASS_PORT) or a flag of the same name (--port).`;

const commandFlags = {
  email: { type: 'string' },
  password: { type: 'string' },
  role: { type: 'string' },
  name: { type: 'string' },
  'client-id': { type: 'string' },
  secret: { type: 'boolean' },
  scopes: { type: 'string' },
  owner: { type: 'string' },
  'redirect-uri': { type: 'string', multiple: true },
  'post-logout-redirect-uri': { type: 'string', multiple: true },
  grant: { type: 'string', multiple: true },
  'backchannel-logout-uri': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** Runs one CLI command; returns the exit code (serve returns 0 once listening and keeps running). */
export async function runCli(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: { ...configFlagOptions(), ...commandFlags }, strict: true, allowPositionals: true });
  } catch (err) {
    process.stderr.write(`scanpass: ${(err as Error).message}\n\n${USAGE}\n`);
    return 2;
  }
  const { values, positionals } = parsed;
  const [cmd = 'serve', sub] = positionals;
  if (values.help || cmd === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  try {
    const config = loadConfig({ flags: values });
    if (cmd === 'serve') return await serve(config);
    if (cmd === 'config') {
      process.stdout.write(`${describeConfig()}\n`);
      return 0;
    }
    if (cmd === 'user' && sub === 'add') return await userAdd(config, values);
    if (cmd === 'client' && sub === 'add') return await clientAdd(config, values);
    process.stderr.write(`scanpass: unknown command "${positionals.join(' ')}"\n\n${USAGE}\n`);
    return 2;
  } catch (err) {
    if (err instanceof ConfigError || err instanceof AppError) {
      process.stderr.write(`scanpass: ${err.message}\n`);
      return 2;
    }
    process.stderr.write(`scanpass: ${(err as Error).stack ?? err}\n`);
    return 1;
  }
}

async function serve(config: ReturnType<typeof loadConfig>): Promise<number> {
  const logger = pino({ level: config.logLevel });
  const node = await startNode(config, { logger, announce: (line) => process.stdout.write(`${line}\n`) });
  process.stdout.write(
    `scanpass: listening on ${node.url} (store: ${node.services.store.dialect}, bus: ${node.services.live.bus.name}); docs at ${config.publicUrl}/docs\n`,
  );
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    const force = setTimeout(() => process.exit(1), (config.shutdownGraceSeconds + 5) * 1000);
    force.unref();
    node.close().then(
      () => process.exit(0),
      (err) => {
        logger.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  return 0;
}

/** Opens the store, runs `work` with the services, closes the store. */
async function withServices<T>(config: ReturnType<typeof loadConfig>, work: (s: Awaited<ReturnType<typeof createServices>>) => Promise<T>): Promise<T> {
  const store = await openStore({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, sqliteSync: config.sqliteSync, onWarning: (m) => console.error(m) });
  try {
    return await work(await createServices(config, { store, bus: new MemoryBus(), logger: pino({ level: 'silent' }) }));
  } finally {
    await store.close();
  }
}

async function clientAdd(config: ReturnType<typeof loadConfig>, v: Record<string, unknown>): Promise<number> {
  const name = v.name as string | undefined;
  if (!name) {
    process.stderr.write('scanpass: client add needs --name\n');
    return 2;
  }
  const scopes = typeof v.scopes === 'string' ? v.scopes.split(/[\s,]+/).filter(Boolean) : undefined;
  return withServices(config, async (s) => {
    let ownerId: string | null = null;
    if (typeof v.owner === 'string') {
      const owner = await s.users.findByEmail(v.owner.trim().toLowerCase());
      if (!owner) throw new AppError('not_found', `no account with email ${v.owner}`);
      ownerId = owner.id;
    }
    const res = await s.login.clients.create({
      name,
      clientId: v['client-id'] as string | undefined,
      confidential: v.secret === true,
      scopes,
      ownerId,
      redirectUris: v['redirect-uri'],
      postLogoutRedirectUris: v['post-logout-redirect-uri'],
      // `device_code` is short for the grant's URN.
      grantTypes: (v.grant as string[] | undefined)?.map((g) => (g === 'device_code' ? DEVICE_CODE_GRANT : g)),
      backchannelLogoutUri: v['backchannel-logout-uri'],
    });
    const c = res.client;
    process.stdout.write(`scanpass: created client "${c.name}" with scopes ${c.scopes.join(' ')}\n`);
    process.stdout.write(`client_id: ${c.client_id}\n`);
    process.stdout.write(`grant_types: ${c.grant_types.join(' ')}\n`);
    for (const uri of c.redirect_uris) process.stdout.write(`redirect_uri: ${uri}\n`);
    for (const uri of c.post_logout_redirect_uris) process.stdout.write(`post_logout_redirect_uri: ${uri}\n`);
    if (c.backchannel_logout_uri) process.stdout.write(`backchannel_logout_uri: ${c.backchannel_logout_uri}\n`);
    if (res.client_secret) process.stdout.write(`client_secret: ${res.client_secret}\n(shown once; only its hash is stored)\n`);
    return 0;
  });
}

async function userAdd(config: ReturnType<typeof loadConfig>, v: Record<string, unknown>): Promise<number> {
  const { email, password, role, name } = v as Record<string, string | undefined>;
  if (!email || !password || !role) {
    process.stderr.write('scanpass: user add needs --email, --password and --role\n');
    return 2;
  }
  if (!isRole(role)) {
    process.stderr.write(`scanpass: --role must be one of ${ROLES.join(', ')}\n`);
    return 2;
  }
  return withServices(config, async (s) => {
    const user = await s.auth.createUser({ email, password, role, name });
    process.stdout.write(`scanpass: created ${user.role} ${user.email} (id ${user.id})\n`);
    return 0;
  });
}

export { CONFIG_KEYS };
