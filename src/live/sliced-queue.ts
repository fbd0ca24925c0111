import { performance } from 'node:perf_hooks';

/**
 * Work done in order, in slices of at most `sliceMs` per turn of the event
 * loop, so a burst (two thousand sockets subscribing to a hundred channels
 * each, or dropping them) never holds the loop for longer than a slice:
 * between slices the node accepts connections and answers requests.
 */
export class SlicedQueue<T> {
  private items: (T | undefined)[] = [];
  private head = 0;
  private scheduled = false;

  constructor(
    private readonly run: (item: T) => void,
    private readonly onError: (err: unknown) => void,
    private readonly sliceMs = 4,
    /** Items per slice at most, for work whose cost lands after it (in callbacks it schedules). */
    private readonly maxPerSlice = Infinity,
  ) {}

  get length(): number {
    return this.items.length - this.head;
  }

  /**
   * Runs `item` at once when nothing is waiting and this turn of the event
   * loop still has slice time left (the usual case: a frame is handled as it
   * arrives, in order with everything else); otherwise queues it behind the rest.
   */
  runOrPush(item: T): void {
    if (this.head < this.items.length || !this.turnHasTime()) return this.push(item);
    try {
      this.run(item);
    } catch (err) {
      this.onError(err);
    }
  }

  private turnStarted = -1;
  private turnHasTime(): boolean {
    const now = performance.now();
    if (this.turnStarted < 0) {
      this.turnStarted = now;
      setImmediate(this.endTurn);
      return true;
    }
    return now - this.turnStarted < this.sliceMs;
  }
  private readonly endTurn = (): void => {
    this.turnStarted = -1;
  };

  push(item: T): void {
    this.items.push(item);
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(this.drain);
    }
  }

  private readonly drain = (): void => {
    const until = performance.now() + this.sliceMs;
    let n = 0;
    while (this.head < this.items.length) {
      const item = this.items[this.head] as T;
      this.items[this.head++] = undefined;
      try {
        this.run(item);
      } catch (err) {
        this.onError(err);
      }
      if (++n >= this.maxPerSlice) break;
      // Reading the clock costs more than a cheap item: look every 16.
      if ((n & 15) === 0 && performance.now() >= until) break;
    }
    if (this.head >= this.items.length) {
      this.items = [];
      this.head = 0;
      this.scheduled = false;
      return;
    }
    if (this.head > 4096 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    setImmediate(this.drain);
  };
}
