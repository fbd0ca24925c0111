import type { Clock } from '../../domain/clock.js';
import { ACTIVITY_WINDOW_MS, estimateWait, perTicket, type WaitEstimate } from '../../domain/wait-estimate.js';
import type { LiveService } from '../../live/live-service.js';
import type { ServiceFacts, TicketsRepo } from '../../store/tickets.js';
import type { LineFrame, TicketState } from './queue-schemas.js';
import { boardFrame, ticketStateView } from './queue-views.js';

/** `ticket:<id>` frames are typed by the change: `called`, `recalled`, `done`, `no_show`, `cancelled`, `transferred`, `more_time` (a snapshot: its status). */
export const ticketChannel = (ticketId: string) => `ticket:${ticketId}`;
export const lineChannel = (serviceId: string) => `line:${serviceId}`;
export const boardChannel = (queueId: string) => `board:${queueId}`;

/** Changes a `line:` frame carries: a phone that missed more re-reads its ticket. */
export const LINE_FRAME_CHANGES = 32;
/** How long a service's recent activity is reused by estimates: a burst of snapshots reads it once. */
const FACTS_TTL_MS = 1000;

/**
 * The queue's channels: `ticket:<id>` (one ticket, for its holder),
 * `line:<service>` (the changes of a service's waiting set, from which every
 * waiting phone keeps its `ahead` right) and `board:<queue>` (the display).
 * A change publishes one frame on each channel it touched, whatever the
 * length of the line: the line's frame lists the change, it does not
 * re-send every ticket. Line and board frames are coalesced while one is
 * being read; each carries the whole state, so the latest is enough.
 */
export class QueueLive {
  private readonly facts = new Map<string, { at: number; facts: Promise<ServiceFacts> }>();
  private readonly busy = new Map<string, { again: boolean }>();

  constructor(
    private readonly live: LiveService,
    private readonly tickets: TicketsRepo,
    private readonly clock: Clock,
    private readonly onError: (err: unknown, context: string) => void,
    private readonly closing: () => boolean = () => false,
  ) {
    live.registry.register('ticket', (id) => this.ticketSnapshot(id));
    live.registry.register('line', (id) => this.lineSnapshot(id));
    live.registry.register('board', (id) => this.boardSnapshot(id));
  }

  /** What the place is doing now for `serviceId`, reused for a second. */
  private serviceFacts(serviceId: string): Promise<ServiceFacts> {
    const now = this.clock.now();
    const hit = this.facts.get(serviceId);
    if (hit && now - hit.at < FACTS_TTL_MS) return hit.facts;
    const facts = this.tickets.facts(serviceId, now - ACTIVITY_WINDOW_MS);
    if (this.facts.size > 10_000) this.facts.clear();
    this.facts.set(serviceId, { at: now, facts });
    facts.catch(() => this.facts.delete(serviceId));
    return facts;
  }

  /** The expected wait with `ahead` people in front. */
  async estimate(serviceId: string, ahead: number): Promise<WaitEstimate> {
    return estimateWait(ahead, await this.serviceFacts(serviceId), this.clock.now());
  }

  /** A ticket's state as its holder sees it; undefined when there is none. */
  async ticketState(ticketId: string): Promise<{ state: TicketState; version: number } | undefined> {
    const s = await this.tickets.state(ticketId);
    if (!s) return undefined;
    const eta = s.ticket.status === 'waiting' ? await this.estimate(s.ticket.serviceId, s.ahead) : null;
    return { state: ticketStateView(s, eta), version: s.ticket.version };
  }

  async ticketSnapshot(ticketId: string) {
    const t = await this.ticketState(ticketId);
    return t ? { version: t.version, type: t.state.status, data: t.state } : null;
  }

  async lineSnapshot(serviceId: string) {
    const line = await this.tickets.line(serviceId, LINE_FRAME_CHANGES);
    if (!line) return null;
    const p = perTicket(await this.serviceFacts(serviceId), this.clock.now());
    const data: LineFrame = { waiting: line.waiting, per_ticket_seconds: Math.round(p.seconds), changes: line.changes };
    return { version: line.version, type: 'line', data };
  }

  async boardSnapshot(queueId: string) {
    const b = await this.tickets.board(queueId);
    return b ? { version: b.version, type: 'board', data: boardFrame(b, this.clock.now()) } : null;
  }

  /** After a commit that changed the ticket: `type` names the change (`called`, `transferred`, ...). */
  publishTicket(ticketId: string, type?: string): void {
    this.ticketSnapshot(ticketId)
      .then((snap) => snap && this.live.publish({ channel: ticketChannel(ticketId), ...snap, type: type ?? snap.type }))
      .catch((err) => this.closing() || this.onError(err, `ticket snapshot ${ticketId}`));
  }

  /** After a finish (done, no-show): the service's pace is read again for the next estimates. */
  refreshPace(serviceId: string): void {
    this.facts.delete(serviceId);
  }

  /** After a commit that changed the service's waiting set. */
  publishLine(serviceId: string): void {
    this.coalesced(`line:${serviceId}`, async () => {
      const snap = await this.lineSnapshot(serviceId);
      if (snap) this.live.publish({ channel: lineChannel(serviceId), ...snap });
    });
  }

  publishBoard(queueId: string): void {
    this.coalesced(`board:${queueId}`, async () => {
      const snap = await this.boardSnapshot(queueId);
      if (snap) this.live.publish({ channel: boardChannel(queueId), ...snap });
    });
  }

  /** Runs `read` now, or once more after the one in flight: never two at once per key, never a change left unpublished. */
  private coalesced(key: string, read: () => Promise<void>): void {
    const busy = this.busy.get(key);
    if (busy) {
      busy.again = true;
      return;
    }
    const state = { again: false };
    this.busy.set(key, state);
    const run = async () => {
      try {
        do {
          if (this.closing()) return;
          state.again = false;
          await read();
        } while (state.again);
      } catch (err) {
        if (!this.closing()) this.onError(err, `snapshot ${key}`);
      } finally {
        this.busy.delete(key);
      }
    };
    void run();
  }
}
