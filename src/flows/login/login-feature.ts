import type { Kysely } from 'kysely';
import type { Config } from '../../config.js';
import type { Clock } from '../../domain/clock.js';
import type { Random } from '../../domain/random.js';
import type { GeoLocator } from '../../http/client-location.js';
import type { LiveService } from '../../live/live-service.js';
import type { AuditLog } from '../../store/audit-log.js';
import { AuthorizationsRepo } from '../../store/authorizations.js';
import { ClientsRepo } from '../../store/clients.js';
import { OAuthGrantsRepo } from '../../store/oauth-grants.js';
import { LoginRequestsRepo } from '../../store/login-requests.js';
import type { Database } from '../../store/schema.js';
import { SigningKeysRepo } from '../../store/signing-keys.js';
import type { UsersRepo } from '../../store/users.js';
import type { UnitsOfWork } from '../../store/units-of-work.js';
import { AuthorizeService } from './authorize-service.js';
import { ClientsService } from './clients-service.js';
import { SignOuts } from './sign-outs.js';
import { LoginService } from './login-service.js';
import { TokenIssuer } from './token-issuer.js';
import { TokenSigner } from './token-signer.js';

/** QR login: login requests (RFC 8628), the applications that start them, the keys that sign their tokens. Routes: login-plugin.ts, oauth-plugin.ts. */
export interface LoginFeature {
  service: LoginService;
  /** The authorization code flow (/oauth/authorize). */
  authorize: AuthorizeService;
  issuer: TokenIssuer;
  /** Signed-in screens and apps, with their refresh tokens. */
  grants: OAuthGrantsRepo;
  clients: ClientsService;
  signer: TokenSigner;
  /** Ending sign-ins: the phone's list, back-channel logout, the end-session endpoint. */
  signOuts: SignOuts;
}

export interface LoginFeatureDeps {
  db: Kysely<Database>;
  units: UnitsOfWork;
  live: LiveService;
  audit: AuditLog;
  users: UsersRepo;
  geo: GeoLocator;
  clock: Clock;
  random: Random;
}

export async function createLogin(config: Config, d: LoginFeatureDeps): Promise<LoginFeature> {
  const clients = new ClientsRepo(d.db);
  const signer = await TokenSigner.load(new SigningKeysRepo(d.db), config.publicUrl, d.clock.now(), d.random);
  const grants = new OAuthGrantsRepo(d.db);
  const issuer = new TokenIssuer(
    { grants, users: d.users, signer, clock: d.clock, random: d.random },
    { issuer: config.publicUrl, accessTokenTtlSeconds: config.accessTokenTtlSeconds, refreshTokenTtlDays: config.refreshTokenTtlDays },
  );
  const service = new LoginService(
    { requests: new LoginRequestsRepo(d.db, d.units), users: d.users, clients, geo: d.geo, signer, issuer, grants, live: d.live, audit: d.audit, clock: d.clock, random: d.random },
    { ttlSeconds: config.loginTtlSeconds, intervalSeconds: config.loginIntervalSeconds, publicUrl: config.publicUrl },
  );
  const authorize = new AuthorizeService(
    { visits: new AuthorizationsRepo(d.db), clients, grants, login: service, issuer, clock: d.clock, random: d.random },
    { publicUrl: config.publicUrl },
  );
  const signOuts = new SignOuts({ grants, clients, signer, geo: d.geo, clock: d.clock });
  return { service, authorize, issuer, grants, signOuts, clients: new ClientsService(clients, d.users, d.clock, d.random), signer };
}
