import type { Clock } from '../../domain/clock.js';
import { AppError, isAppError } from '../../domain/errors.js';
import type { LiveAccess } from '../../domain/live-grant.js';
import { randomUuid, type Random } from '../../domain/random.js';
import * as machine from '../../domain/share-request.js';
import type { Person, SharedFields, ShareRequest } from '../../domain/share-request.js';
import { formatUserCode, generateUserCode, normaliseUserCode } from '../../domain/user-code.js';
import type { LiveService } from '../../live/live-service.js';
import { expireEach, liveVersionedTransition, type VersionedTransition } from '../../live/versioned-transition.js';
import type { AuditLog } from '../../store/audit-log.js';
import { requireSharer, requireVisible } from './share-access.js';
import type { ShareRequestsRepo, StoredShareRequest } from '../../store/share-requests.js';

export interface ShareFlowOptions {
  ttlSeconds: number;
  publicUrl: string;
}

export interface ShareServiceDeps {
  shares: ShareRequestsRepo;
  live: LiveService;
  audit: AuditLog;
  clock: Clock;
  random: Random;
}

/** Who is calling, and from where (for the audit log). */
export interface Caller extends Person {
  ip?: string;
  /** The rights its channel tokens are minted under (auth/live-access.ts): signing out ends what they opened. */
  access: LiveAccess;
}

const shareChannel = (id: string) => `share:${id}`;

/** What both screens watch: the status as the event type, the shared view as data. */
const channelSnapshot = (r: ShareRequest) => ({ version: r.version, type: r.status, data: machine.channelView(r) });

/** Channel tokens outlive the code a while, so B still sees the outcome of a late decision. */
const TOKEN_GRACE_SECONDS = 600;

/**
 * QR share / consent: A creates a share and shows its code, B claims it, A
 * approves or denies, and both watch `share:<id>` for every change.
 */
export class ShareService {
  /** Compare-and-set transitions of one share, published to its `share:` channel. */
  private readonly transition: VersionedTransition<StoredShareRequest, ShareRequest>;

  constructor(
    private readonly d: ShareServiceDeps,
    private readonly o: ShareFlowOptions,
  ) {
    this.transition = liveVersionedTransition('share', {
      rows: d.shares,
      live: d.live,
      channel: shareChannel,
      snapshot: channelSnapshot,
      missing: () => new AppError('not_found', 'no such share'),
      contended: () => new AppError('conflict', 'this share is changing too fast; try again'),
      maxAttempts: 20,
    });
  }

  async create(owner: Caller, input: { title?: string | undefined; fields: SharedFields }) {
    const fields = cleanFields(input.fields);
    if (Object.keys(fields).length === 0) throw new AppError('invalid_request', 'choose at least one detail to share');
    const now = this.d.clock.now();
    for (let attempt = 0; attempt < 5; attempt++) {
      const share: StoredShareRequest = {
        id: randomUuid(this.d.random),
        code: generateUserCode(this.d.random),
        ownerId: owner.id,
        ownerName: owner.name,
        title: input.title?.trim() || null,
        fields,
        status: 'open',
        version: 1,
        createdAt: now,
        expiresAt: now + this.o.ttlSeconds * 1000,
        requester: null,
        requestedAt: null,
        decidedAt: null,
      };
      if (await this.d.shares.insert(share)) return this.ownerView(share, owner.access);
    }
    throw new AppError('unavailable', 'could not allocate a share code; try again');
  }

  /** B scans the code: the first signed-in claimant becomes the requester, and A is told at once. */
  async claim(codeInput: string, who: Caller) {
    const code = normaliseUserCode(codeInput);
    const found = code ? await this.d.shares.byCode(code) : undefined;
    if (!found) throw new AppError('unknown_code', 'no share has this code; check it and try again');
    const { row: share } = await this.transition(found, (cur) => ({ next: machine.claim(cur, person(who), this.d.clock.now()), result: null }));
    return this.requesterView(share, who.access);
  }

  approve(id: string, owner: Caller) {
    return this.decide(id, owner, 'share_approve', (cur) => machine.approve(cur, owner.id, this.d.clock.now()));
  }

  deny(id: string, owner: Caller) {
    return this.decide(id, owner, 'share_deny', (cur) => machine.deny(cur, owner.id, this.d.clock.now()));
  }

  revoke(id: string, owner: Caller) {
    return this.decide(id, owner, 'share_revoke', (cur) => machine.revoke(cur, owner.id, this.d.clock.now()));
  }

  /** The current state for A or for the one who claimed it; nobody else. */
  async view(id: string, caller: Pick<Caller, 'id' | 'access'>) {
    const r = await this.visible(id, caller.id);
    return r.ownerId === caller.id ? this.ownerView(r, caller.access) : this.requesterView(r, caller.access);
  }

  /** What A's QR encodes: the receive page with the code. Only A may draw it. */
  async qrTarget(id: string, userId: string): Promise<string> {
    const r = await this.visible(id, userId);
    requireSharer(r, userId);
    return this.receiveUrl(r.code);
  }

  /** Marks undecided shares past their time as expired, so both screens are told at once. */
  async expireDue(limit = 500): Promise<number> {
    const due = await this.d.shares.dueForExpiry(this.d.clock.now(), limit);
    return expireEach(this.transition, due, (cur) => machine.expire(cur, this.d.clock.now()));
  }

  /** Deletes shares whose time ended more than `keepMs` ago. */
  purge(keepMs = 3600_000): Promise<number> {
    return this.d.shares.purge(this.d.clock.now() - keepMs);
  }

  private async visible(id: string, userId: string): Promise<StoredShareRequest> {
    const r = await this.d.shares.byId(id);
    if (!r) throw new AppError('not_found', 'no such share');
    requireVisible(r, userId);
    return r;
  }

  /** A's decision, audited whether it went through or was refused. */
  private async decide(id: string, owner: Caller, action: string, step: (cur: ShareRequest) => ShareRequest | null) {
    const subject = shareChannel(id);
    const at = () => this.d.clock.now();
    try {
      const { row: share } = await this.transition(id, (cur) => ({ next: step(cur), result: null }));
      await this.d.audit.record({ at: at(), actorId: owner.id, action, subject, outcome: 'ok', detail: { requester_id: share.requester?.id ?? null, status: share.status }, ip: owner.ip ?? null });
      return this.ownerView(share, owner.access);
    } catch (err) {
      if (isAppError(err) && err.code !== 'not_found') {
        await this.d.audit.record({ at: at(), actorId: owner.id, action, subject, outcome: 'refused', detail: { reason: err.code }, ip: owner.ip ?? null });
      }
      throw err;
    }
  }

  private receiveUrl(code: string): string {
    return `${this.o.publicUrl}/share/receive?code=${formatUserCode(code)}`;
  }

  private grant(id: string, access: LiveAccess) {
    return this.d.live.grant(shareChannel(id), access, this.o.ttlSeconds + TOKEN_GRACE_SECONDS);
  }

  /** A sees everything about their own share, including what they offered. */
  private ownerView(r: StoredShareRequest, access: LiveAccess) {
    return { id: r.id, role: 'owner' as const, code: formatUserCode(r.code), url: this.receiveUrl(r.code), ...machine.channelView(r), offer: r.fields, live: this.grant(r.id, access) };
  }

  /** B sees who is sharing and, only once approved, the fields. */
  private requesterView(r: StoredShareRequest, access: LiveAccess) {
    return { id: r.id, role: 'requester' as const, ...machine.channelView(r), live: this.grant(r.id, access) };
  }
}

const person = (c: Caller): Person => ({ id: c.id, name: c.name, email: c.email });

/** Keeps only known, non-empty fields, trimmed. */
function cleanFields(input: SharedFields): SharedFields {
  const out: SharedFields = {};
  for (const k of machine.SHARE_FIELDS) {
    const v = input[k]?.trim();
    if (v) out[k] = v;
  }
  return out;
}
