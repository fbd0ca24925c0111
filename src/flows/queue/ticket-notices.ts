import type { PushMessage } from '../../domain/push-subscription.js';
import { ticketPushOwner } from '../../notifications/push-owner.js';
import type { QueuesRepo } from '../../store/queues.js';
import type { TicketsRepo } from '../../store/tickets.js';

/** What sends a system notification to a ticket's phone (Web Push); a no-op when push is not set up. */
export interface TicketPusher {
  notify(owner: string, message: PushMessage): Promise<unknown>;
}

/**
 * The two moments a visitor is told even with the page closed or the phone
 * locked: their turn (with the counter) and "near your turn" (the service's
 * threshold of people ahead). Sent after the change committed, never awaited
 * by the caller: the live page is the truth, a push is a courtesy. The
 * server does not know the visitor's language, so the text is in both.
 * A notification's tag is per ticket and moment, so a repeat replaces the
 * earlier one instead of stacking.
 */
export class TicketNotices {
  constructor(
    private readonly d: { queues: QueuesRepo; tickets: TicketsRepo; push: TicketPusher; publicUrl: string },
    private readonly onError: (err: unknown, context: string) => void,
  ) {}

  /** The ticket was called (or recalled) to a counter. */
  called(ticketId: string): void {
    this.run(async () => {
      const t = await this.d.tickets.ticket(ticketId);
      if (!t || t.status !== 'called' || !t.counterId) return;
      const counter = await this.d.queues.counter(t.counterId);
      const where = counter?.name ?? '';
      await this.d.push.notify(ticketPushOwner(t.id), {
        title: `${t.number} — Your turn · 轮到您了`,
        body: `${where} · 请到 ${where}`,
        tag: `ticket-${t.id}-called`,
        url: this.url(t.queueId, t.id),
      });
    }, 'push: called');
  }

  /** The service's line moved: tell the ticket that is now exactly at the threshold. */
  lineMoved(serviceId: string): void {
    this.run(async () => {
      const service = await this.d.queues.service(serviceId);
      if (!service || service.nearAhead <= 0) return;
      const t = await this.d.tickets.waitingAt(serviceId, service.nearAhead);
      if (!t) return;
      const n = service.nearAhead;
      await this.d.push.notify(ticketPushOwner(t.id), {
        title: `${t.number} — ${n} ahead · 前面还有 ${n} 人`,
        body: `Almost your turn: stay close · 快到您了，请留意叫号`,
        tag: `ticket-${t.id}-near`,
        url: this.url(t.queueId, t.id),
      });
    }, 'push: near');
  }

  // The page asks for the ticket's token again (it is not stored in clear), so the link opens the queue page, which finds the ticket in the browser's storage.
  private url(queueId: string, ticketId: string): string {
    return `${this.d.publicUrl}/queue?q=${encodeURIComponent(queueId)}&ticket=${encodeURIComponent(ticketId)}`;
  }

  private run(work: () => Promise<void>, context: string): void {
    work().catch((err: unknown) => this.onError(err, context));
  }
}
