import type { PassState, SessionCounts } from '../../domain/checkin.js';

/**
 * Check-in's response bodies and channel messages, built from the domain
 * records the repositories hand out (the shapes are declared in checkin-schemas.ts).
 */

/** The part of a pass its `pass:` channel carries: who, their check-ins, the latest scan (the pass API adds codes and the event). */
export const passStateView = (p: PassState) => ({
  attendee: { id: p.attendee.id, name: p.attendee.name, event_id: p.attendee.eventId, revoked: p.attendee.revokedAt !== null },
  last_scan: p.lastScan,
  checkins: p.checkins,
});
export type PassStateView = ReturnType<typeof passStateView>;

/** What a session's `session:` channel carries, and the counts API returns with its version and token. */
export const countsView = (c: SessionCounts) => {
  const s = c.session;
  return {
    session: { id: s.id, event_id: s.eventId, name: s.name, place: s.place, starts_at: s.startsAt, ends_at: s.endsAt, closed: s.closedAt !== null },
    counts: { expected: c.expected, checked_in: c.checkedIn, not_yet: Math.max(0, c.expected - c.checkedIn), inside: c.inside },
    latest: c.latest.map((r) => ({
      id: r.id,
      at: r.at,
      // Later than `at` when an offline scanner uploaded it.
      recorded_at: r.recordedAt,
      result: r.result,
      reason: r.reason,
      direction: r.direction,
      method: r.method,
      gate: r.gate,
      by: r.by,
      attendee: r.attendee,
      // The check-in this scan made or ran into, and whether it still stands (the dashboard's undo).
      checkin_id: r.checkin?.id ?? null,
      checkin_live: r.checkin?.live ?? false,
      // Refused as already checked in: when and where the check-in in the way was made.
      earlier: r.result === 'rejected' && r.checkin ? { at: r.checkin.at, gate: r.checkin.gate } : null,
    })),
  };
};
