import { describe, expect, it } from 'vitest';
import { sessionViewWindowState, sessionWindowState } from '../../src/domain/session-window.js';

const T = 1_800_000_000_000;
const session = { opensAt: T, closesAt: T + 3600_000, closedAt: null };

describe('session window state', () => {
  it('is not_yet_open before the window, with when it opens', () => {
    expect(sessionWindowState(session, T - 1)).toEqual({ state: 'not_yet_open', opensAt: T });
    expect(sessionWindowState(session, 0)).toEqual({ state: 'not_yet_open', opensAt: T });
  });

  it('is open from opensAt (inclusive) until closesAt (exclusive)', () => {
    expect(sessionWindowState(session, T)).toEqual({ state: 'open', closesAt: T + 3600_000 });
    expect(sessionWindowState(session, T + 3600_000 - 1).state).toBe('open');
    expect(sessionWindowState(session, T + 3600_000)).toEqual({ state: 'closed', byHand: false });
  });

  it('is closed by hand whatever the clock says, also before the window', () => {
    const closed = { ...session, closedAt: T - 10 };
    expect(sessionWindowState(closed, T - 1)).toEqual({ state: 'closed', byHand: true });
    expect(sessionWindowState(closed, T + 1)).toEqual({ state: 'closed', byHand: true });
    expect(sessionWindowState(closed, T + 9_999_999)).toEqual({ state: 'closed', byHand: true });
  });

  it('gives the same answer from the API view the pages hold', () => {
    const view = { opens_at: T, closes_at: T + 3600_000, closed: false };
    for (const now of [T - 1, T, T + 1, T + 3600_000]) expect(sessionViewWindowState(view, now)).toEqual(sessionWindowState(session, now));
    expect(sessionViewWindowState({ ...view, closed: true }, T + 1)).toEqual({ state: 'closed', byHand: true });
  });
});
