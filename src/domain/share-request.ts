import { AppError } from './errors.js';

/**
 * A QR share's life, as pure functions. Person A (the owner) picks what to
 * share and shows a code; person B scans it and asks; A decides. Each step
 * returns the next state (version + 1), null when nothing changes, or throws a
 * refusal with a stable code; the store applies the result as a compare-and-set
 * on the version, so ten people scanning at once yield exactly one requester.
 *
 *   open --claim (B)--> requested --approve (A)--> approved
 *     \                     \--deny (A)--> denied
 *      \--revoke (A)--------+--> revoked
 *   open | requested --time--> expired
 */
export type ShareStatus = 'open' | 'requested' | 'approved' | 'denied' | 'revoked' | 'expired';

export const SHARE_FIELDS = ['name', 'email', 'phone', 'organisation', 'note'] as const;
export type ShareField = (typeof SHARE_FIELDS)[number];
/** What A chose to share: only the fields A ticked. */
export type SharedFields = Partial<Record<ShareField, string>>;

export interface Person {
  id: string;
  name: string;
  email: string;
}

export interface ShareRequest {
  id: string;
  ownerId: string;
  /** A's account name, shown to B before approval so B knows whom they asked. */
  ownerName: string;
  title: string | null;
  /** Cleared when the share ends without approval: nothing is kept that was never given. */
  fields: SharedFields | null;
  status: ShareStatus;
  version: number;
  createdAt: number;
  expiresAt: number;
  requester: Person | null;
  requestedAt: number | null;
  decidedAt: number | null;
}

const bump = (r: ShareRequest, patch: Partial<ShareRequest>): ShareRequest => ({ ...r, ...patch, version: r.version + 1 });

/** Refuses any step on a share that has ended, with the reason a late caller gets. */
function refuseIfFinished(r: ShareRequest, now: number): void {
  if (r.status === 'approved' || r.status === 'denied') throw new AppError('code_used', 'this code has already been used');
  if (r.status === 'revoked') throw new AppError('share_revoked', 'the owner has withdrawn this share');
  if (r.status === 'expired' || now >= r.expiresAt) throw new AppError('code_expired', 'this code has expired; ask for a new one');
}

function requireOwner(r: ShareRequest, userId: string): void {
  if (r.ownerId !== userId) throw new AppError('forbidden', 'only the person sharing can do this');
}

/**
 * B asks to see the share: the first claimant wins, asking again changes
 * nothing, anyone else is refused. A cannot ask for their own share.
 */
export function claim(r: ShareRequest, who: Person, now: number): ShareRequest | null {
  if (who.id === r.ownerId) throw new AppError('forbidden', 'this is your own share; show the code to someone else');
  const mine = r.requester?.id === who.id;
  // The one who asked may open it again (a reload) and see where it stands.
  if (mine && (r.status === 'approved' || r.status === 'denied')) return null;
  if (r.status === 'requested') {
    refuseIfFinished(r, now);
    if (mine) return null;
    throw new AppError('claimed_elsewhere', 'someone else has already scanned this code');
  }
  refuseIfFinished(r, now);
  return bump(r, { status: 'requested', requester: { ...who }, requestedAt: now });
}

export function approve(r: ShareRequest, ownerId: string, now: number): ShareRequest {
  requireOwner(r, ownerId);
  refuseIfFinished(r, now);
  if (r.status !== 'requested') throw new AppError('not_claimed', 'nobody has scanned this code yet');
  return bump(r, { status: 'approved', decidedAt: now });
}

export function deny(r: ShareRequest, ownerId: string, now: number): ShareRequest {
  requireOwner(r, ownerId);
  refuseIfFinished(r, now);
  if (r.status !== 'requested') throw new AppError('not_claimed', 'nobody has scanned this code yet');
  return bump(r, { status: 'denied', decidedAt: now, fields: null });
}

/** A withdraws the share before deciding; withdrawing twice changes nothing. */
export function revoke(r: ShareRequest, ownerId: string, now: number): ShareRequest | null {
  requireOwner(r, ownerId);
  if (r.status === 'revoked') return null;
  refuseIfFinished(r, now);
  return bump(r, { status: 'revoked', decidedAt: now, fields: null });
}

export function expire(r: ShareRequest, now: number): ShareRequest | null {
  if (now < r.expiresAt || (r.status !== 'open' && r.status !== 'requested')) return null;
  return bump(r, { status: 'expired', fields: null });
}

/** Only A and the one who claimed the share may look at it. */
export function canSee(r: ShareRequest, userId: string): boolean {
  return r.ownerId === userId || r.requester?.id === userId;
}

/**
 * What the channel shows to both A and B: who asked (once someone has), and
 * the shared fields only once A approved.
 */
export function channelView(r: ShareRequest) {
  return {
    status: r.status,
    expires_at: r.expiresAt,
    title: r.title,
    owner: { name: r.ownerName },
    requester: r.requester ? { name: r.requester.name, email: r.requester.email } : null,
    fields: r.status === 'approved' ? (r.fields ?? {}) : null,
    decided_at: r.decidedAt,
  };
}

export type ShareView = ReturnType<typeof channelView>;
