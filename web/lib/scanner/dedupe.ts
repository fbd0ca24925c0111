/**
 * "The same code is not counted twice within a few seconds." A code is
 * accepted when it has not been seen for `windowMs`; every sighting renews
 * the window, so a code left in front of the camera is counted once however
 * long it stays there, and again only after it was gone for `windowMs`.
 * Pure (the clock is passed in), so it is tested without a browser.
 */
export const DEFAULT_DEDUPE_MS = 5000;

export class Deduper {
  private readonly lastSeen = new Map<string, number>();

  constructor(readonly windowMs = DEFAULT_DEDUPE_MS) {}

  /** Records a sighting of `text` at `now`; true when it counts as a new scan. */
  accept(text: string, now: number): boolean {
    this.prune(now);
    const last = this.lastSeen.get(text);
    this.lastSeen.set(text, now);
    return last === undefined || now - last >= this.windowMs;
  }

  /** Marks `text` as seen at `now` without counting it (it stayed in view while a result was shown). */
  touch(text: string, now: number): void {
    this.lastSeen.set(text, now);
  }

  /** Forgets every code (a new session picked, for example). */
  clear(): void {
    this.lastSeen.clear();
  }

  private prune(now: number): void {
    // Small by nature (codes seen in the last few seconds); keep it that way.
    for (const [text, at] of this.lastSeen) if (now - at >= this.windowMs) this.lastSeen.delete(text);
  }
}
