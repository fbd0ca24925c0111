import { AppError } from '../../domain/errors.js';
import { canSee, type ShareRequest } from '../../domain/share-request.js';

/**
 * Who may do what with a share, in one place:
 * - any signed-in account may create a share (it is its sharer, "A") and may
 *   claim someone else's by its code (the first claimant is the requester, "B");
 * - A and B may look at it, nobody else (`requireVisible`);
 * - only A may show its code (`requireSharer`) and approve, deny or revoke it
 *   (the state machine, domain/share-request.ts, refuses anyone else).
 */

export function requireVisible(r: ShareRequest, userId: string): void {
  if (!canSee(r, userId)) throw new AppError('forbidden', 'this share is not yours to see');
}

export function requireSharer(r: ShareRequest, userId: string): void {
  if (r.ownerId !== userId) throw new AppError('forbidden', 'only the person sharing can show its code');
}
