import type { Clock } from '../domain/clock.js';
import { AppError, isAppError } from '../domain/errors.js';
import { apiKeyGrant, signInGrant } from '../domain/live-grant.js';
import { randomToken, type Random } from '../domain/random.js';
import type { Role } from '../domain/roles.js';
import type { User } from '../domain/user.js';
import type { ApiKeysRepo } from '../store/api-keys.js';
import type { AuditEntry, AuditLog } from '../store/audit-log.js';
import type { SignInsRepo } from '../store/sign-ins.js';
import type { UnitsOfWork } from '../store/units-of-work.js';
import type { UsersRepo } from '../store/users.js';
import type { AuthService } from './auth-service.js';
import type { CreatedUser, NewUser, UserList, UserListQuery, UserPatch } from './users-schemas.js';

/** What a member stopped staffing when demoted: its live access there ends (services.ts names the channels). */
export interface StaffEnded {
  sessionIds: string[];
  queueIds: string[];
}

export interface UsersServiceDeps {
  auth: AuthService;
  users: UsersRepo;
  signIns: SignInsRepo;
  apiKeys: ApiKeysRepo;
  audit: AuditLog;
  units: UnitsOfWork;
  clock: Clock;
  random: Random;
  /** Told after a sign-in or an API key ended (committed), with its live grant. */
  onRevoked?: ((grant: string) => void) | undefined;
  /** Told after an account was demoted to member (committed), with the assignments it lost. */
  onStaffEnded?: ((userId: string, ended: StaffEnded) => void) | undefined;
}

/** Who asks, from where: the audit log's actor. */
export interface Actor {
  user: User;
  ip: string;
}

/** An initial password made up by the server: 16 characters, 96 random bits. */
const INITIAL_PASSWORD_BYTES = 12;

/**
 * Account management for admins: list and search, create, change the role,
 * rename, disable and enable. The rules: an admin cannot disable their own
 * account, and no change may leave no enabled admin. Disabling ends the
 * account's sign-ins and revokes its API keys at once (and their live
 * channels); demoting to member ends its staff assignments. Every change, and
 * every refusal, lands in the audit log.
 */
export class UsersService {
  constructor(private readonly d: UsersServiceDeps) {}

  async list(q: UserListQuery): Promise<UserList> {
    const filter = { search: q.q, role: q.role };
    const [users, total] = await Promise.all([this.d.users.list(q.limit, q.offset, filter), this.d.users.countMatching(filter)]);
    return { users, total };
  }

  async create(actor: Actor, input: NewUser): Promise<CreatedUser> {
    const made = input.password === undefined ? randomToken(this.d.random, INITIAL_PASSWORD_BYTES) : undefined;
    const user = await this.d.auth.createUser({ email: input.email, password: input.password ?? made!, role: input.role, name: input.name });
    await this.d.audit.record(this.entry(actor, 'user_create', user.id, 'ok', { role: user.role, password: made ? 'made_up' : 'given' }));
    return made ? { ...user, initial_password: made } : user;
  }

  async update(actor: Actor, id: string, patch: UserPatch): Promise<User> {
    try {
      return await this.change(actor, id, patch);
    } catch (err) {
      if (isAppError(err)) await this.d.audit.record(this.entry(actor, 'user_update', id, 'refused', { error: err.code, ...patch }));
      throw err;
    }
  }

  private async change(actor: Actor, id: string, patch: UserPatch): Promise<User> {
    const name = patch.name?.trim();
    if (patch.name !== undefined && !name) throw new AppError('invalid_request', 'a name needs more than spaces');
    if (patch.disabled === true && id === actor.user.id) throw new AppError('cannot_disable_self', 'you cannot disable your own account; ask another admin');
    const mayLoseAdmin = (patch.role !== undefined && patch.role !== 'admin') || patch.disabled === true;
    const now = this.d.clock.now();

    const done = await this.d.units.execute(async (unit) => {
      // Locked first, before the account is read: see UsersRepo.lockActiveAdmins.
      const admins = mayLoseAdmin ? await this.d.users.lockActiveAdmins(unit.db) : [];
      const before = await this.d.users.findById(id, unit.db);
      if (!before) throw new AppError('unknown_user', 'no such account');
      const role: Role = patch.role ?? before.role;
      const disabled = patch.disabled ?? before.disabled;
      const losesAdmin = before.role === 'admin' && !before.disabled && (role !== 'admin' || disabled);
      if (losesAdmin && !admins.some((a) => a !== id)) {
        throw new AppError('last_admin', 'this is the only enabled admin: make another account admin first');
      }
      const after = await this.d.users.update(unit.db, id, {
        ...(role !== before.role ? { role } : {}),
        ...(name !== undefined && name !== before.name ? { name } : {}),
        ...(disabled !== before.disabled ? { disabledAt: disabled ? now : null } : {}),
      });
      if (!after) throw new AppError('unknown_user', 'no such account');
      const signIns = disabled && !before.disabled ? await this.d.signIns.deleteAllOf(id, unit.db) : [];
      const keys = disabled && !before.disabled ? await this.d.apiKeys.revokeAllOf(id, now, unit.db) : [];
      const staff = role === 'member' && before.role !== 'member' ? await this.d.users.endStaffAssignments(unit.db, id) : undefined;
      for (const e of this.changes(actor, before, after, { signIns: signIns.length, keys: keys.length, staff })) await this.d.audit.record(e, unit.db);
      return { after, signIns, keys, staff };
    });

    // Committed: what the account could open ends on every node.
    for (const hash of done.signIns) this.d.onRevoked?.(signInGrant(hash));
    for (const key of done.keys) this.d.onRevoked?.(apiKeyGrant(key));
    if (done.staff && (done.staff.sessionIds.length || done.staff.queueIds.length)) this.d.onStaffEnded?.(id, done.staff);
    return done.after;
  }

  /** One audit line per kind of change. */
  private changes(actor: Actor, before: User, after: User, ended: { signIns: number; keys: number; staff: StaffEnded | undefined }): AuditEntry[] {
    const out: AuditEntry[] = [];
    if (before.role !== after.role) {
      out.push(this.entry(actor, 'user_role', after.id, 'ok', { from: before.role, to: after.role, ...(ended.staff ? { staff_ended: ended.staff } : {}) }));
    }
    if (before.name !== after.name) out.push(this.entry(actor, 'user_rename', after.id, 'ok', { from: before.name, to: after.name }));
    if (!before.disabled && after.disabled) out.push(this.entry(actor, 'user_disable', after.id, 'ok', { sign_ins_ended: ended.signIns, api_keys_revoked: ended.keys }));
    if (before.disabled && !after.disabled) out.push(this.entry(actor, 'user_enable', after.id, 'ok'));
    return out;
  }

  private entry(actor: Actor, action: string, userId: string, outcome: AuditEntry['outcome'], detail?: Record<string, unknown>): AuditEntry {
    return { at: this.d.clock.now(), actorId: actor.user.id, action, subject: `user:${userId}`, outcome, ...(detail ? { detail } : {}), ip: actor.ip };
  }
}
