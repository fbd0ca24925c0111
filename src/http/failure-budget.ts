import type { Redis } from 'ioredis';
import { AppError } from '../domain/errors.js';

/**
 * A global budget of failures per minute (e.g. wrong user codes from anyone):
 * once spent, further attempts are refused until the minute turns. Per-address
 * limits stop one guesser; this stops many guessers together. Shared through
 * Redis when there is one, so the budget is per deployment, not per node.
 */
export class FailureBudget {
  private minute = 0;
  private local = 0;

  constructor(
    private readonly name: string,
    private readonly perMinute: number,
    private readonly redis: Redis | undefined,
    private readonly now: () => number,
  ) {}

  /** Throws `rate_limited` while the budget of this minute is spent. */
  async check(): Promise<void> {
    if ((await this.spent()) >= this.perMinute) throw new AppError('rate_limited', 'too many wrong codes are being tried; wait a minute and try again');
  }

  async fail(): Promise<void> {
    const minute = Math.floor(this.now() / 60_000);
    if (this.redis) {
      const key = `scanpass:budget:${this.name}:${minute}`;
      await this.redis.multi().incr(key).expire(key, 120).exec().catch(() => this.bumpLocal(minute));
    } else this.bumpLocal(minute);
  }

  private bumpLocal(minute: number): void {
    if (minute !== this.minute) {
      this.minute = minute;
      this.local = 0;
    }
    this.local++;
  }

  private async spent(): Promise<number> {
    const minute = Math.floor(this.now() / 60_000);
    if (this.redis) {
      const v = await this.redis.get(`scanpass:budget:${this.name}:${minute}`).catch(() => null);
      if (v !== null) return Number(v);
    }
    return minute === this.minute ? this.local : 0;
  }
}
