/**
 * Runs at most `max` tasks at once, the rest in the order they came. The hub
 * opens channels through one, so a burst of subscribers to thousands of new
 * channels reads their snapshots a few at a time instead of queueing thousands
 * of reads in front of everyone else's queries (a check-in waits behind at
 * most `max` snapshot reads, not behind the whole burst).
 */
export class ConcurrencyLimit {
  private running = 0;
  private readonly waiting: (() => void)[] = [];
  private head = 0;

  constructor(private readonly max: number) {}

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.running >= this.max) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.running++;
    try {
      return await task();
    } finally {
      this.release();
    }
  }

  /** Tasks waiting for a turn. */
  get queued(): number {
    return this.waiting.length - this.head;
  }

  private release(): void {
    if (this.head < this.waiting.length) {
      // The slot passes straight to the next task: `running` stays the same.
      const next = this.waiting[this.head]!;
      this.waiting[this.head++] = undefined as never;
      if (this.head > 1024 && this.head * 2 > this.waiting.length) {
        this.waiting.splice(0, this.head);
        this.head = 0;
      }
      // On the next turn of the event loop, not now: with a store or bus that answers without
      // real I/O (SQLite, the memory bus) a backlog would otherwise run as one long chain of
      // promise callbacks that never lets the loop accept a connection or answer a request.
      setImmediate(next);
    } else {
      this.running--;
    }
  }
}
