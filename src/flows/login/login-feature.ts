import type { Kysely } from 'kysely';
import type { Config } from '../../config.js';
import type { Clock } from '../../domain/clock.js';
import type { Random } from '../../domain/random.js';
import type { LiveService } from '../../live/live-service.js';
import type { AuditLog } from '../../store/audit-log.js';
import { ClientsRepo } from '../../store/clients.js';
import { LoginRequestsRepo } from '../../store/login-requests.js';
import type { Database } from '../../store/schema.js';
import { SigningKeysRepo } from '../../store/signing-keys.js';
import type { UsersRepo } from '../../store/users.js';
import { ClientsService } from './clients-service.js';
import { LoginService } from './login-service.js';
import { TokenSigner } from './token-signer.js';

/** QR login: login requests (RFC 8628), the applications that start them, the keys that sign their tokens. Routes: login-plugin.ts, oauth-plugin.ts. */
export interface LoginFeature {
  service: LoginService;
  clients: ClientsService;
  signer: TokenSigner;
}

export interface LoginFeatureDeps {
  db: Kysely<Database>;
  live: LiveService;
  audit: AuditLog;
  users: UsersRepo;
  clock: Clock;
  random: Random;
}

export async function createLogin(config: Config, d: LoginFeatureDeps): Promise<LoginFeature> {
  const clients = new ClientsRepo(d.db);
  const signer = await TokenSigner.load(new SigningKeysRepo(d.db), config.publicUrl, d.clock.now(), d.random);
  const service = new LoginService(
    { requests: new LoginRequestsRepo(d.db), users: d.users, clients, signer, live: d.live, audit: d.audit, clock: d.clock, random: d.random },
    { ttlSeconds: config.loginTtlSeconds, intervalSeconds: config.loginIntervalSeconds, publicUrl: config.publicUrl, accessTokenTtlSeconds: config.accessTokenTtlSeconds },
  );
  return { service, clients: new ClientsService(clients, d.users, d.clock, d.random), signer };
}
