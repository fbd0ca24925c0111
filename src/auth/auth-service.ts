import { AppError } from '../domain/errors.js';
import { apiKeyGrant, signInGrant } from '../domain/live-grant.js';
import type { Clock } from '../domain/clock.js';
import { randomToken, randomUuid, type Random } from '../domain/random.js';
import type { Role } from '../domain/roles.js';
import type { ApiKey, ApiKeysRepo } from '../store/api-keys.js';
import type { SignInsRepo } from '../store/sign-ins.js';
import type { User, UsersRepo } from '../store/users.js';
import { checkPasswordStrength, dummyHash, hashPassword, verifyPassword } from './passwords.js';
import { sha256 } from './secrets.js';
import type { SignInBackoff } from './sign-in-backoff.js';

export type Principal =
  /** `signedInAt`: when the password was given (OpenID's auth_time when this browser approves on the spot). */
  | { kind: 'sign_in'; user: User; signInHash: string; csrfToken: string; expiresAt: number; signedInAt: number }
  | { kind: 'api_key'; user: User; keyId: string; scopes: string[] };

export interface AuthDeps {
  users: UsersRepo;
  signIns: SignInsRepo;
  apiKeys: ApiKeysRepo;
  clock: Clock;
  random: Random;
  signInTtlMs: number;
  /** Told after a sign-in or an API key ended (committed), with its live grant: what it opened ends on every node. */
  onRevoked?: ((grant: string) => void) | undefined;
  backoff: SignInBackoff;
}

const API_KEY_PREFIX = 'spk_';

const normaliseEmail = (email: string): string => email.trim().toLowerCase();

/** Accounts, sign-ins and API keys. No HTTP here: routes and the CLI both use it. */
export class AuthService {
  constructor(private readonly d: AuthDeps) {}

  async createUser(input: { email: string; password: string; role: Role; name?: string | undefined }): Promise<User> {
    checkPasswordStrength(input.password);
    const email = normaliseEmail(input.email);
    const row = {
      id: randomUuid(this.d.random),
      email,
      name: input.name?.trim() || email.split('@')[0]!,
      password_hash: await hashPassword(input.password),
      role: input.role,
      created_at: this.d.clock.now(),
      disabled_at: null,
    };
    if (!(await this.d.users.insert(row))) throw new AppError('email_taken', `an account with ${email} exists`);
    return (await this.d.users.findById(row.id))!;
  }

  /** Returns the sign-in token for the cookie; the store keeps only its hash. */
  async signIn(email: string, password: string, meta: { ip: string; userAgent: string }) {
    const normalised = normaliseEmail(email);
    const attempt = await this.d.backoff.begin(normalised);
    const row = await this.d.users.findByEmail(normalised);
    const ok = row ? await verifyPassword(row.password_hash, password) : await verifyPassword(await dummyHash(), password + '\0');
    if (!row || !ok) throw new AppError('invalid_credentials', 'email or password is wrong');
    await this.d.backoff.succeeded(attempt);
    // Said only to whoever knows the password: it tells them nothing a guesser could use.
    if (row.disabled_at !== null) throw new AppError('account_disabled', 'this account is disabled; ask an administrator');
    const token = randomToken(this.d.random, 32);
    const csrfToken = randomToken(this.d.random, 24);
    const now = this.d.clock.now();
    await this.d.signIns.insert({
      idHash: sha256(token),
      userId: row.id,
      csrfToken,
      createdAt: now,
      expiresAt: now + this.d.signInTtlMs,
      ip: meta.ip,
      userAgent: meta.userAgent.slice(0, 400),
    });
    return { token, csrfToken, expiresAt: now + this.d.signInTtlMs, user: (await this.d.users.findById(row.id))! };
  }

  async signOut(signInHash: string): Promise<void> {
    await this.d.signIns.delete(signInHash);
    this.d.onRevoked?.(signInGrant(signInHash));
  }

  async fromSignInToken(token: string): Promise<Principal | null> {
    if (!token || token.length > 100) return null;
    const hash = sha256(token);
    const found = await this.d.signIns.find(hash, this.d.clock.now());
    return found ? { kind: 'sign_in', user: found.user, signInHash: hash, csrfToken: found.signIn.csrfToken, expiresAt: found.signIn.expiresAt, signedInAt: found.signIn.createdAt } : null;
  }

  async fromApiKey(key: string): Promise<Principal | null> {
    if (!key.startsWith(API_KEY_PREFIX) || key.length > 100) return null;
    const found = await this.d.apiKeys.findActive(sha256(key));
    if (!found) return null;
    // last_used_at is advisory; do not make every request wait on it.
    this.d.apiKeys.touch(found.key.id, this.d.clock.now()).catch(() => {});
    return { kind: 'api_key', user: found.user, keyId: found.key.id, scopes: found.key.scopes };
  }

  /** The key is returned once; only its hash is stored. */
  async createApiKey(userId: string, name: string, scopes: string[] = []): Promise<{ key: string; info: ApiKey }> {
    const key = API_KEY_PREFIX + randomToken(this.d.random, 32);
    const info: ApiKey = { id: randomUuid(this.d.random), name, userId, createdAt: this.d.clock.now(), lastUsedAt: null, revokedAt: null, scopes: [...new Set(scopes)] };
    await this.d.apiKeys.insert(info, sha256(key));
    return { key, info };
  }

  listApiKeys(userId?: string): Promise<ApiKey[]> {
    return this.d.apiKeys.list(userId);
  }

  async revokeApiKey(id: string, userId?: string): Promise<void> {
    if (!(await this.d.apiKeys.revoke(id, this.d.clock.now(), userId))) throw new AppError('not_found', 'no such active API key');
    this.d.onRevoked?.(apiKeyGrant(id));
  }

  async purgeExpiredSignIns(): Promise<number> {
    const [n] = await Promise.all([this.d.signIns.purgeExpired(this.d.clock.now()), this.d.backoff.purge()]);
    return n;
  }
}
