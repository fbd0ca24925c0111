import type { Clock } from '../../src/domain/clock.js';

/**
 * Real time plus whatever the test skipped: a test that must get past a
 * deadline (a lock-out, an expiry) advances the clock instead of sleeping,
 * while everything else on the node keeps running on time.
 */
export class TestClock implements Clock {
  private skippedMs = 0;

  now(): number {
    return Date.now() + this.skippedMs;
  }

  advance(ms: number): void {
    this.skippedMs += Math.max(0, ms);
  }
}
