import { describe, expect, it } from 'vitest';
import { Deduper } from '../../web/lib/scanner/dedupe.js';

describe('scanner dedupe', () => {
  it('counts a code once while it keeps being seen, and again after it was gone for the window', () => {
    const d = new Deduper(5000);
    expect(d.accept('A', 0)).toBe(true);
    // The camera keeps seeing it: every sighting renews the window.
    for (let t = 100; t <= 20_000; t += 100) expect(d.accept('A', t)).toBe(false);
    // Another code is not affected.
    expect(d.accept('B', 20_000)).toBe(true);
    // Gone for 5 s: counts again.
    expect(d.accept('A', 25_000)).toBe(true);
  });

  it('touch() renews a code without counting it; clear() forgets everything', () => {
    const d = new Deduper(5000);
    expect(d.accept('A', 0)).toBe(true);
    d.touch('A', 4000);
    expect(d.accept('A', 8000)).toBe(false);
    d.clear();
    expect(d.accept('A', 8001)).toBe(true);
  });
});
