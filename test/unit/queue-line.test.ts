import { describe, expect, it } from 'vitest';
import { applyLine, etaMinutes } from '../../web/lib/queue-api.js';

/**
 * How a waiting phone keeps its place from the `line:` frames alone: each
 * change newer than the version it holds moves it when it is in front of it;
 * a frame that starts past the next version means changes were missed, and
 * the phone must read its ticket again.
 */
describe('applyLine', () => {
  const me = { order: 50, ahead: 4, version: 10 };
  const frame = (changes: [number, number, number][]) => ({ waiting: 9, per_ticket_seconds: 120, changes });

  it('moves up for each change in front, not for those behind or already applied', () => {
    expect(
      applyLine(
        me,
        frame([
          [9, 10, -1], // already counted in the snapshot
          [10, 20, -1], // ditto
          [11, 10, -1], // a call in front
          [12, 80, 1], // a join behind
          [13, 30, 1], // a transfer to the front
          [14, 40, -1], // someone in front left
        ]),
      ),
    ).toEqual({ ahead: 3, version: 14, gap: false });
  });

  it('reports a gap when changes were missed, and changes nothing', () => {
    expect(applyLine(me, frame([[12, 10, -1]]))).toEqual({ ahead: 4, version: 10, gap: true });
    expect(applyLine(me, frame([[11, 10, -1], [13, 10, -1]]))).toEqual({ ahead: 4, version: 10, gap: true });
  });

  it('an old frame changes nothing', () => {
    expect(applyLine(me, frame([[10, 10, -1]]))).toEqual({ ahead: 4, version: 10, gap: false });
    expect(applyLine(me, frame([]))).toEqual({ ahead: 4, version: 10, gap: false });
  });
});

describe('etaMinutes', () => {
  it('shows the server range in whole minutes, the high end above the low one', () => {
    expect(etaMinutes([600, 900], 750)).toEqual([10, 15]);
    expect(etaMinutes([0, 60], 0)).toEqual([0, 1]);
    expect(etaMinutes([300, 300], 300)).toEqual([5, 6]);
  });
  it('without a range, about ±20% around the estimate', () => {
    expect(etaMinutes(null, 600)).toEqual([8, 12]);
    expect(etaMinutes(null, 0)).toEqual([0, 1]);
  });
});
