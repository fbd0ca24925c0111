import type { Clock } from '../../src/domain/clock.js';

/**
 * Real time plus whatever the test skipped: a test that must get past a
 * deadline (a lock-out, an expiry) advances the clock instead of sleeping,
 * while everything else on the node keeps running on time.
 */
export class TestClock implements Clock {
  private skippedMs = 0;
  /** While stopped: the real moment it stopped. */
  private stoppedAt: number | undefined;

  now(): number {
    return (this.stoppedAt ?? Date.now()) + this.skippedMs;
  }

  advance(ms: number): void {
    this.skippedMs += Math.max(0, ms);
  }

  /** Time stands still, and only `advance` moves it: for a scenario whose durations are checked to the second. */
  stop(): void {
    this.stoppedAt ??= Date.now();
  }

  /** Time runs again from where it stood (never backwards). */
  resume(): void {
    if (this.stoppedAt === undefined) return;
    this.skippedMs -= Date.now() - this.stoppedAt;
    this.stoppedAt = undefined;
  }
}
