/**
 * The expected wait shown to someone in a queue: how long until they are
 * called, as a number and as a range ("10–15 min").
 *
 * Why not "people ahead × a fixed time": what a visitor waits for is
 * counters of their service becoming free, and that pace changes through
 * the day (counters open and close, a few long cases, counters shared with
 * another service). So the time per ticket comes from what the place is
 * doing now, from two views that cover each other's blind spots:
 *
 *  - the finish rate: the gaps between the service's last 40 finishes of the
 *    last 30 min (any counter), exponentially weighted so the latest 8 count
 *    for half. It sees counters shared with other services, breaks and the
 *    time between "Done" and "Call next", but lags behind a counter opening
 *    or closing, and a stretch with nobody waiting looks like slow service:
 *    gaps are capped at twice the capacity time below. If nobody has
 *    finished for longer than the average gap, that open gap counts too, so
 *    the estimate grows while the line stands still;
 *  - capacity: the mean recent service time (called to finished) divided by
 *    the counters open now. It follows counters opening and closing at once,
 *    but assumes each open counter works on this service only.
 *
 * With 4+ recent finishes the time per ticket is the geometric mean of the
 * two (the rate alone if no service times are given); with fewer, capacity
 * alone; with no history, 3 minutes a ticket divided by the counters open.
 * On the simulated days of `npm run bench:queue` capacity alone did as well
 * as the blend while the counters open were counted right, and much worse
 * when every assigned counter was counted as open; the rate alone the
 * other way round; the blend stayed near the better of the two in both
 * (bench/README.md).
 *
 * Someone with `ahead` people in front needs `ahead + 1` counters to free
 * up, minus the counters idle right now (`countersBusy`, when the caller
 * knows it); the first of those is on average half a ticket away, so the
 * wait is `(needed − 0.5) × per ticket`, and about nothing when a counter is
 * free for them. The range is one standard deviation either way, taken as a
 * factor (e^±σ/wait: a wait is a count times a pace, so its error is
 * relative): the spread of the gaps over that many tickets, the uncertainty
 * of their average, and 15% for the pace changing meanwhile; widened to
 * whole minutes. Before anyone is served the pace is a guess and the range
 * wide, but its low end is never "0 min" for someone with people ahead.
 *
 * Pure: the caller passes what the store knows and the time.
 */

export interface ServiceActivity {
  /** Recent finish times (done or no-show) of the service's tickets, ms since the epoch, any order. */
  finishedAt: number[];
  /** Recent service durations (called to finished), ms. */
  serviceMs: number[];
  /** Counters open now that serve this service. */
  countersOpen: number;
  /**
   * Of those, how many hold a called ticket now (of any service). Optional:
   * without it every open counter counts as busy, so the wait of someone
   * with nobody ahead is half a ticket rather than about nothing.
   */
  countersBusy?: number;
}

export interface WaitEstimate {
  /** Expected wait until called, whole seconds. */
  seconds: number;
  /** What to show: [low, high] seconds, whole minutes, high > low. */
  range: [number, number];
  /** Seconds per ticket of this service at the current pace (the line channel sends it to phones). */
  perTicketSeconds: number;
  /** What the estimate rests on: recent finishes, recent service times only, or nothing yet. */
  basis: 'rate' | 'service' | 'default';
}

export const DEFAULT_PER_TICKET_SECONDS = 180;
/** Finishes older than this are no longer "what the place is doing now". */
export const ACTIVITY_WINDOW_MS = 30 * 60_000;
const MAX_FINISHES = 40;
const MIN_FINISHES_FOR_RATE = 4;
/** The most recent this-many gaps carry half the weight. */
const HALF_LIFE_GAPS = 8;
/** Relative uncertainty added for the pace changing while one waits. */
const DRIFT = 0.15;
/** A service record longer than this is a ticket left open, not a service time. */
const MAX_SERVICE_MS = 3600_000;
/** Bounds on a ticket's time, so odd records cannot show "0 min" or "9 hours per person". */
const MIN_PER_TICKET_SECONDS = 5;
const MAX_PER_TICKET_SECONDS = 3600;
/** More people ahead than any line holds: a bug upstream; keeps the answer a safe integer. */
const MAX_AHEAD = 1_000_000;

const clamp = (x: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, x));

/** Weighted mean and standard deviation, with the effective number of samples (Kish). */
function weightedStats(xs: number[], ws: number[]): { mean: number; sd: number; n: number } {
  let sw = 0;
  let sw2 = 0;
  let sx = 0;
  for (let i = 0; i < xs.length; i++) {
    sw += ws[i]!;
    sw2 += ws[i]! * ws[i]!;
    sx += ws[i]! * xs[i]!;
  }
  const mean = sx / sw;
  let sv = 0;
  for (let i = 0; i < xs.length; i++) sv += ws[i]! * (xs[i]! - mean) ** 2;
  return { mean, sd: Math.sqrt(sv / sw), n: (sw * sw) / sw2 };
}

const countersOf = (a: ServiceActivity) => (Number.isFinite(a.countersOpen) && a.countersOpen >= 1 ? Math.floor(a.countersOpen) : 1);

/**
 * Seconds per ticket at the current pace, with the spread of one ticket's
 * time (sd) and how many observations it rests on (n).
 */
export function perTicket(activity: ServiceActivity, now: number): { seconds: number; sd: number; n: number; basis: WaitEstimate['basis'] } {
  const counters = countersOf(activity);
  const services = activity.serviceMs.filter((ms) => Number.isFinite(ms) && ms >= 0).slice(-MAX_FINISHES).map((ms) => Math.min(ms, MAX_SERVICE_MS) / 1000);
  const capacity = services.length ? services.reduce((a, b) => a + b, 0) / services.length / counters : undefined;
  const finishes = activity.finishedAt
    .filter((t) => Number.isFinite(t) && t <= now && t > now - ACTIVITY_WINDOW_MS)
    .sort((a, b) => a - b)
    .slice(-MAX_FINISHES);

  if (finishes.length >= MIN_FINISHES_FOR_RATE) {
    // Gaps newest first; one longer than twice the capacity time was (mostly) an empty line.
    const cap = capacity !== undefined ? Math.max(2 * capacity, MIN_PER_TICKET_SECONDS) : Infinity;
    const gaps: number[] = [];
    for (let i = finishes.length - 1; i > 0; i--) gaps.push(Math.min((finishes[i]! - finishes[i - 1]!) / 1000, cap));
    const weights = gaps.map((_, i) => 0.5 ** (i / HALF_LIFE_GAPS));
    let rate = weightedStats(gaps, weights);
    // Nobody finished for longer than usual: that wait is evidence too (uncapped: the line is not empty).
    const open = (now - finishes[finishes.length - 1]!) / 1000;
    if (open > rate.mean) rate = weightedStats([open, ...gaps], [1, ...weights.map((w) => w * 0.5 ** (1 / HALF_LIFE_GAPS))]);
    const seconds = clamp(capacity !== undefined ? Math.sqrt(rate.mean * capacity) : rate.mean, MIN_PER_TICKET_SECONDS, MAX_PER_TICKET_SECONDS);
    // The gaps' spread, relative to their mean, carried over to the blend.
    return { seconds, sd: rate.mean > 0 ? (rate.sd / rate.mean) * seconds : seconds, n: rate.n, basis: 'rate' };
  }
  if (capacity !== undefined) {
    const seconds = clamp(capacity, MIN_PER_TICKET_SECONDS, MAX_PER_TICKET_SECONDS);
    // Gaps between finishes over several counters vary about as much as their mean.
    return { seconds, sd: seconds, n: services.length, basis: 'service' };
  }
  const seconds = clamp(DEFAULT_PER_TICKET_SECONDS / counters, MIN_PER_TICKET_SECONDS, MAX_PER_TICKET_SECONDS);
  return { seconds, sd: seconds, n: 1, basis: 'default' };
}

/**
 * The wait for someone with `ahead` waiting tickets in front of them (see the
 * comment at the top). `ahead` below 0 or not a number counts as 0.
 */
export function estimateWait(ahead: number, activity: ServiceActivity, now: number): WaitEstimate {
  const p = perTicket(activity, now);
  const counters = countersOf(activity);
  const busy = activity.countersBusy;
  const free = busy !== undefined && Number.isFinite(busy) ? clamp(counters - Math.floor(busy), 0, counters) : 0;
  // Counters that must free up before this person is called; the first is half a ticket away on average.
  const needed = (Number.isFinite(ahead) && ahead > 0 ? Math.min(Math.floor(ahead), MAX_AHEAD) : 0) + 1 - free;
  if (needed <= 0) return { seconds: 0, range: [0, 60], perTicketSeconds: Math.round(p.seconds), basis: p.basis };
  const k = needed - 0.5;
  const seconds = k * p.seconds;
  // A sum of k gaps: variance k·sd²; their average known to ±sd/√n, times k; plus drift.
  const sd = Math.sqrt(k * p.sd ** 2 + (k * p.sd) ** 2 / Math.max(1, p.n) + (DRIFT * seconds) ** 2);
  // A wait is a product of a count and a pace: its spread is relative, so the range is a factor
  // either way (e^±σ), never "0 min" for someone with people ahead when the pace is little known.
  const f = Math.exp(sd / seconds);
  const lo = Math.max(0, Math.floor(seconds / f / 60));
  const hi = Math.max(lo + 1, Math.ceil((seconds * f) / 60));
  return { seconds: Math.round(seconds), range: [lo * 60, hi * 60], perTicketSeconds: Math.round(p.seconds), basis: p.basis };
}
