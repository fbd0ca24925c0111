import { sha256 } from '../../auth/secrets.js';
import type { Clock } from '../../domain/clock.js';
import { verifyEntranceCode } from '../../domain/entrance-code.js';
import { AppError, isAppError } from '../../domain/errors.js';
import { ticketGrant, type LiveAccess } from '../../domain/live-grant.js';
import { randomToken, randomUuid, type Random } from '../../domain/random.js';
import { formatTicketNumber, localDay } from '../../domain/ticket-number.js';
import type { LiveService } from '../../live/live-service.js';
import type { QueuesRepo } from '../../store/queues.js';
import type { TicketsRepo, TicketUpdate } from '../../store/tickets.js';
import type { User } from '../../store/users.js';
import { heldTicket, issuesByHand, staffedCounter, staffedTicket, type QueueCaller } from './queue-access.js';
import { lineChannel, ticketChannel, type QueueLive } from './queue-live.js';
import type { TicketBody, TicketView, TransferBody } from './queue-schemas.js';
import { STALE_ENTRANCE } from './queue-service.js';
import type { TicketNotices } from './ticket-notices.js';

export interface TicketDeps {
  queues: QueuesRepo;
  tickets: TicketsRepo;
  live: LiveService;
  channels: QueueLive;
  /** System notifications to the ticket's phone (Web Push). */
  notices: TicketNotices;
  clock: Clock;
  random: Random;
}

/** A ticket's channel tokens last a working day; the page renews them by reading the ticket again. */
const TICKET_LIVE_TTL_SECONDS = 12 * 3600;

/**
 * Tickets: joining (with a fresh entrance code, or by hand at a counter), the
 * holder's page (read, leave, more time) and the counter's actions (call
 * next, recall, done, no-show, transfer). Each change is one unit of work in
 * TicketsRepo; after it commits, the ticket's, its line's and the board's
 * channels get one frame each.
 */
export class TicketService {
  constructor(private readonly d: TicketDeps) {}

  /** `byHand`: who issues it when no entrance code was given (staff at the desk, or the place's kiosk). */
  async join(queueId: string, body: TicketBody, byHand: QueueCaller | null): Promise<TicketView> {
    const q = await this.d.queues.queue(queueId);
    if (!q) throw new AppError('not_found', 'no such queue');
    const now = this.d.clock.now();
    if (body.entrance_code !== undefined) {
      if (verifyEntranceCode(q.entranceKey, q.id, body.entrance_code, now, { poster: q.posterEnabled }) !== 'ok') throw new AppError('invalid_entrance_code', STALE_ENTRANCE);
    } else if (!byHand || !(await issuesByHand(this.d.queues, byHand, q.id))) {
      throw new AppError('invalid_entrance_code', 'scan the code at the entrance to take a number');
    }
    // Priority is for staff to give at the desk (a visitor who needs it asks there), never for a visitor to claim.
    if (body.priority === true && (body.entrance_code !== undefined || byHand?.kind !== 'user')) throw new AppError('forbidden', 'only staff issuing a ticket by hand can give it priority');
    const service = await this.d.queues.service(body.service_id);
    if (!service || service.queueId !== q.id) throw new AppError('not_found', 'no such service in this queue');
    const name = body.name?.trim() || null;
    const phone = body.phone?.trim() || null;
    if (service.ask === 'name' && !name) throw new AppError('invalid_request', 'this service asks for your name');
    if (service.ask === 'phone' && !phone) throw new AppError('invalid_request', 'this service asks for your phone number');
    const token = randomToken(this.d.random, 24);
    const tokenHash = sha256(token);
    const ticket = await this.d.tickets.join({
      id: randomUuid(this.d.random),
      serviceId: service.id,
      day: localDay(now, q.timezone),
      tokenHash,
      name,
      phone,
      priority: body.priority === true,
      now,
      by: byHand && body.entrance_code === undefined ? (byHand.kind === 'user' ? `user:${byHand.user.id}` : `device:${byHand.device.id}`) : 'ticket',
      format: formatTicketNumber,
    });
    this.d.channels.publishLine(service.id);
    this.d.channels.publishBoard(q.id);
    return { ...(await this.view(ticket.id, { grants: [ticketGrant(tokenHash)] })), token };
  }

  /** True when `token` is the ticket's (one indexed read; for the push routes). */
  holds(ticketId: string, token: string): Promise<boolean> {
    return this.d.tickets.holds(ticketId, sha256(token));
  }

  /** The holder's page. */
  async get(ticketId: string, token: string): Promise<TicketView> {
    const hash = await heldTicket(this.d.tickets, ticketId, token);
    return this.view(ticketId, { grants: [ticketGrant(hash)] });
  }

  /** The holder leaves; leaving twice is harmless. */
  async leave(ticketId: string, token: string): Promise<TicketView> {
    const hash = await heldTicket(this.d.tickets, ticketId, token);
    await this.change(ticketId, { action: 'cancel', now: this.d.clock.now(), by: 'ticket' }, 'cancelled');
    return this.view(ticketId, { grants: [ticketGrant(hash)] });
  }

  /** "I need more time": once per ticket, while waiting, `more_time_places` places further back. */
  async moreTime(ticketId: string, token: string): Promise<TicketView> {
    const hash = await heldTicket(this.d.tickets, ticketId, token);
    await this.change(ticketId, { action: 'more_time', now: this.d.clock.now(), by: 'ticket' }, 'more_time');
    return this.view(ticketId, { grants: [ticketGrant(hash)] });
  }

  /** Call next at a counter: the first waiting ticket of its services, exactly once. The counter's previous ticket stays as it is. */
  async call(user: User, counterId: string, access: LiveAccess): Promise<{ ticket: TicketView }> {
    const counter = await staffedCounter(this.d.queues, user, counterId);
    const t = await this.d.tickets.callNext(counter.id, counter.serviceIds, this.d.clock.now(), `user:${user.id}`);
    this.published(t.id, t.serviceId, t.queueId, 'called', true);
    this.d.notices.called(t.id);
    this.d.notices.lineMoved(t.serviceId);
    return { ticket: await this.view(t.id, access) };
  }

  /**
   * Marks called tickets whose visitor did not come within the service's
   * no-show time (from the call or the last recall) as no-shows, as if staff
   * had pressed No-show. A ticket staff finished meanwhile is left as it is.
   */
  async noShowDue(limit = 200): Promise<number> {
    let marked = 0;
    for (const id of await this.d.tickets.overdueCalled(this.d.clock.now(), limit)) {
      try {
        await this.change(id, { action: 'no_show', now: this.d.clock.now(), by: 'system' }, 'no_show');
        marked++;
      } catch (err) {
        if (!isAppError(err)) throw err;
      }
    }
    return marked;
  }

  /** Recall, done or no-show, by staff of the ticket's place. */
  async act(user: User, ticketId: string, action: 'recall' | 'done' | 'no_show', access: LiveAccess): Promise<{ ticket: TicketView }> {
    await staffedTicket(this.d.queues, this.d.tickets, user, ticketId);
    await this.change(ticketId, { action, now: this.d.clock.now(), by: `user:${user.id}` }, action === 'recall' ? 'recalled' : action);
    return { ticket: await this.view(ticketId, access) };
  }

  async transfer(user: User, ticketId: string, body: TransferBody, access: LiveAccess): Promise<{ ticket: TicketView }> {
    const t = await staffedTicket(this.d.queues, this.d.tickets, user, ticketId);
    const target = await this.d.queues.service(body.service_id);
    if (!target || target.queueId !== t.queueId) throw new AppError('not_found', 'no such service in this queue');
    await this.change(ticketId, { action: 'transfer', toServiceId: target.id, to: body.to, now: this.d.clock.now(), by: `user:${user.id}` }, 'transferred', t.serviceId);
    return { ticket: await this.view(ticketId, access) };
  }

  private async change(ticketId: string, u: TicketUpdate, type: string, fromServiceId?: string): Promise<void> {
    const before = await this.d.tickets.ticket(ticketId);
    if (!before) throw new AppError('not_found', 'no such ticket');
    const places = u.action === 'more_time' ? ((await this.d.queues.service(before.serviceId))?.moreTimePlaces ?? 0) : 0;
    const t = await this.d.tickets.update(ticketId, u, places);
    if (t.version === before.version) return; // left twice: nothing changed
    // Recall, done and no-show change no line (the ticket was not waiting); done and no-show change its pace.
    const linesChanged = u.action === 'cancel' || u.action === 'more_time' || u.action === 'transfer';
    if (u.action === 'done' || u.action === 'no_show') this.d.channels.refreshPace(t.serviceId);
    const lineMoved = linesChanged && (before.status === 'waiting' || u.action === 'transfer');
    this.published(t.id, t.serviceId, t.queueId, type, lineMoved);
    if (fromServiceId !== undefined && fromServiceId !== t.serviceId) this.d.channels.publishLine(fromServiceId);
    if (u.action === 'recall') this.d.notices.called(t.id);
    if (lineMoved) this.d.notices.lineMoved(t.serviceId);
    if (lineMoved && fromServiceId !== undefined && fromServiceId !== t.serviceId) this.d.notices.lineMoved(fromServiceId);
  }

  /** After a commit: one frame on the ticket, its line (when its waiting set changed) and the board. */
  private published(ticketId: string, serviceId: string, queueId: string, type: string, line: boolean): void {
    this.d.channels.publishTicket(ticketId, type);
    if (line) this.d.channels.publishLine(serviceId);
    this.d.channels.publishBoard(queueId);
  }

  private async view(ticketId: string, access: LiveAccess): Promise<TicketView> {
    const s = await this.d.channels.ticketState(ticketId);
    if (!s) throw new AppError('not_found', 'no such ticket');
    return {
      ...s.state,
      live: this.d.live.grant(ticketChannel(ticketId), access, TICKET_LIVE_TTL_SECONDS),
      line: this.d.live.grant(lineChannel(s.state.service.id), access, TICKET_LIVE_TTL_SECONDS),
    };
  }
}
