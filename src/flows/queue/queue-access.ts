import { sha256 } from '../../auth/secrets.js';
import { AppError } from '../../domain/errors.js';
import { deviceGrant, type LiveAccess } from '../../domain/live-grant.js';
import type { Queue, QueueCounter, QueueDevice } from '../../domain/queue.js';
import type { Ticket } from '../../domain/queue-ticket.js';
import type { QueuesRepo } from '../../store/queues.js';
import type { TicketsRepo } from '../../store/tickets.js';
import type { User } from '../../store/users.js';

/**
 * The queue's access policy, in one place: who may do what at a place.
 * Routes, services and the list query all ask here.
 *
 * - A place (its settings, staff, webhook): admins.
 * - Running a place (open/close services, the entrance code, the board, call
 *   next, recall, done, no-show, transfer, issuing a ticket by hand): admins
 *   and the staff assigned to the place.
 * - A ticket's own page (read it, leave, ask for more time): whoever holds
 *   its token; the server keeps only the token's hash, and a wrong token is
 *   answered as if the ticket did not exist.
 * - Joining: anyone with a fresh entrance code, or with the place's poster
 *   code while its posters are enabled.
 * - A place's provisioned devices (a token from the console, revocable): a
 *   board reads the board and the entrance code of its own place; a kiosk
 *   also issues tickets by hand there. Nothing else (no calling, no places).
 */

export const isAdmin = (user: User): boolean => user.role === 'admin';

/** Admin, or staff of the place. */
export async function staffsPlace(queues: QueuesRepo, user: User, queueId: string): Promise<boolean> {
  return isAdmin(user) || (user.role === 'staff' && (await queues.isStaff(queueId, user.id)));
}

/** The place, for running it: admins and its staff; `not_found` when there is none. */
export async function staffedQueue(queues: QueuesRepo, user: User, queueId: string): Promise<Queue> {
  const q = await queues.queue(queueId);
  if (!q) throw new AppError('not_found', 'no such queue');
  if (!(await staffsPlace(queues, user, q.id))) throw new AppError('forbidden', 'only staff of this place may do this');
  return q;
}

/** A counter, for calling at it: admins and staff of its place. */
export async function staffedCounter(queues: QueuesRepo, user: User, counterId: string): Promise<QueueCounter> {
  const c = await queues.counter(counterId);
  if (!c) throw new AppError('not_found', 'no such counter');
  if (!(await staffsPlace(queues, user, c.queueId))) throw new AppError('forbidden', 'only staff of this place may call at its counters');
  return c;
}

/** A ticket, for staff acting on it: admins and staff of its place. */
export async function staffedTicket(queues: QueuesRepo, tickets: TicketsRepo, user: User, ticketId: string): Promise<Ticket> {
  const t = await tickets.ticket(ticketId);
  if (!t) throw new AppError('not_found', 'no such ticket');
  if (!(await staffsPlace(queues, user, t.queueId))) throw new AppError('forbidden', 'only staff of this place may do this');
  return t;
}

/** The hash of a ticket token the holder shows, when it is the ticket's; else `not_found` (existence is not revealed). */
export async function heldTicket(tickets: TicketsRepo, ticketId: string, token: string): Promise<string> {
  const hash = sha256(token);
  if (!(await tickets.holds(ticketId, hash))) throw new AppError('not_found', 'no such ticket, or the link is not this ticket\'s');
  return hash;
}

/** The same rule as `staffsPlace`, as a list filter: undefined is every place (admins). */
export const placesOf = (user: User): string | undefined => (isAdmin(user) ? undefined : user.id);

/** Who reads or runs a place: a signed-in account, or one of the place's provisioned devices. */
export type QueueCaller = { kind: 'user'; user: User; access: LiveAccess } | { kind: 'device'; device: QueueDevice };

/** The place, for showing it (the board, the entrance code): admins, its staff and its devices. */
export async function shownQueue(queues: QueuesRepo, caller: QueueCaller, queueId: string): Promise<Queue> {
  if (caller.kind === 'user') return staffedQueue(queues, caller.user, queueId);
  if (caller.device.queueId !== queueId) throw new AppError('forbidden', "this device belongs to another place");
  const q = await queues.queue(queueId);
  if (!q) throw new AppError('not_found', 'no such queue');
  return q;
}

/** Issuing a ticket without an entrance code (at the desk, or at a kiosk): admins, staff of the place and its kiosks. */
export async function issuesByHand(queues: QueuesRepo, caller: QueueCaller, queueId: string): Promise<boolean> {
  if (caller.kind === 'user') return staffsPlace(queues, caller.user, queueId);
  return caller.device.kind === 'kiosk' && caller.device.queueId === queueId;
}

/** The rights a caller's channel tokens are minted under: the device (revoking it ends them), or the account's credential. */
export const callerAccess = (c: QueueCaller): LiveAccess => (c.kind === 'device' ? { grants: [deviceGrant(c.device.id)] } : c.access);
