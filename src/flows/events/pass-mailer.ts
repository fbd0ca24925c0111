import type { Clock } from '../../domain/clock.js';
import { randomUuid, type Random } from '../../domain/random.js';
import { MailRefused, mailRefusal, type Mailer } from '../../mail/mail-transport.js';
import type { ClaimedDelivery, PassDeliveriesRepo } from '../../store/pass-deliveries.js';
import { NO_EMAIL } from './pass-delivery-service.js';
import type { PassLinks } from './pass-links.js';
import { passMessage } from './pass-message.js';

export interface PassMailerOptions {
  /** How often the node looks for queued deliveries (it also starts at once when its own API queued some). */
  tickMs: number;
  /** Messages in flight at once on this node. */
  concurrency: number;
  /** How long a claim lasts: longer than any one SMTP exchange can take with the transport's timeouts. */
  leaseMs: number;
}

const LAPSE_EVERY_MS = 30_000;

export const INTERRUPTED = 'interrupted while sending (the node stopped): it may or may not have arrived; resend if it did not';

/**
 * Sends queued pass e-mails, on every node. Each round it claims queued rows
 * by compare-and-set (PassDeliveriesRepo.claim), so no two nodes take one
 * row; only then does it make the message and hand it to SMTP, and after
 * that it writes `sent` or `failed` with the server's reason.
 *
 * The one window for a duplicate or a loss is a node dying after the SMTP
 * server accepted a message and before `sent` is written: the row's lease
 * lapses and it is failed as "interrupted", never re-sent unasked (the
 * organiser sees it and may resend). A node shutting down gives back claims
 * it has not started sending. When the SMTP server cannot be reached or
 * refuses us, the rest of that job is failed with the same reason at once,
 * so its progress ends instead of trying each person in turn.
 */
export class PassMailer {
  private timer: NodeJS.Timeout | undefined;
  private ticking: Promise<void> | undefined;
  private again = false;
  private closing = false;
  private readonly inFlight = new Set<Promise<void>>();
  private lastLapse = 0;

  constructor(
    private readonly d: { deliveries: PassDeliveriesRepo; links: PassLinks; mailer: Mailer; clock: Clock; random: Random; onError: (err: unknown, context: string) => void },
    private readonly o: PassMailerOptions,
  ) {}

  start(): void {
    if (this.timer || this.closing) return;
    this.timer = setInterval(() => void this.tick(), this.o.tickMs);
    this.timer.unref();
  }

  /** Work was queued here: look now rather than at the next tick. */
  kick(): void {
    if (this.timer) void this.tick();
  }

  /** Stops claiming, lets the messages in flight finish (they are short: the transport has timeouts), closes SMTP. */
  async close(): Promise<void> {
    this.closing = true;
    clearInterval(this.timer);
    this.timer = undefined;
    await this.ticking;
    await Promise.allSettled([...this.inFlight]);
    this.d.mailer.close();
  }

  /** One round (a round asked for while one runs runs right after it). Exposed for tests. */
  tick(): Promise<void> {
    if (this.closing) return Promise.resolve();
    if (this.ticking) {
      this.again = true;
      return this.ticking;
    }
    this.ticking = this.round().finally(() => {
      this.ticking = undefined;
      if (this.again && !this.closing) {
        this.again = false;
        void this.tick();
      }
    });
    return this.ticking;
  }

  /** Resolves when nothing is in flight on this node (tests). */
  async idle(): Promise<void> {
    while (this.ticking || this.inFlight.size) await Promise.allSettled([this.ticking, ...this.inFlight]);
  }

  private async round(): Promise<void> {
    try {
      const now = this.d.clock.now();
      // A write, so not every tick: a lapsed claim is minutes old anyway.
      if (now - this.lastLapse >= LAPSE_EVERY_MS) {
        this.lastLapse = now;
        await this.d.deliveries.lapse(now, INTERRUPTED);
      }
      const free = this.o.concurrency - this.inFlight.size;
      if (free <= 0) return;
      const token = randomUuid(this.d.random);
      const won = await this.d.deliveries.claim(await this.d.deliveries.due(free), token, now, now + this.o.leaseMs);
      for (const row of await this.d.deliveries.claimed(won)) {
        const p = this.deliver(row, token).finally(() => {
          this.inFlight.delete(p);
          // A slot came free: more may be queued.
          void this.tick();
        });
        this.inFlight.add(p);
      }
    } catch (err) {
      this.d.onError(err, 'pass e-mail round');
    }
  }

  private async deliver(row: ClaimedDelivery, token: string): Promise<void> {
    const now = () => this.d.clock.now();
    let handedToSmtp = false;
    try {
      if (this.closing) return await this.d.deliveries.release(row.attendeeId, token, now());
      if (row.revoked) return void (await this.d.deliveries.settle(row.attendeeId, token, { sent: false, error: 'attendee revoked' }, now()));
      if (!row.email) return void (await this.d.deliveries.settle(row.attendeeId, token, { sent: false, error: NO_EMAIL }, now()));
      const link = (await this.d.links.current([row.attendeeId])).get(row.attendeeId);
      if (!link) return void (await this.d.deliveries.settle(row.attendeeId, token, { sent: false, error: 'attendee removed' }, now()));
      const mail = await passMessage({ to: row.email, name: row.name, eventName: row.eventName, eventStartsAt: row.eventStartsAt, language: row.language, url: this.d.links.url(link) });
      handedToSmtp = true;
      try {
        await this.d.mailer.send(mail);
      } catch (err) {
        const refusal = err instanceof MailRefused ? err : mailRefusal(err);
        await this.d.deliveries.settle(row.attendeeId, token, { sent: false, error: refusal.message }, now());
        if (refusal.serverWide) await this.d.deliveries.failQueued(row.jobId, refusal.message, now());
        return;
      }
      await this.d.deliveries.settle(row.attendeeId, token, { sent: true }, now());
    } catch (err) {
      this.d.onError(err, `pass e-mail to attendee ${row.attendeeId}`);
      // Nothing went out yet: say why. After the hand-over the claim lapses and the row is failed as interrupted.
      if (!handedToSmtp) await this.d.deliveries.settle(row.attendeeId, token, { sent: false, error: `could not prepare the message: ${String((err as Error)?.message ?? err)}` }, now()).catch(() => {});
    }
  }
}
