/**
 * The `estimator` phase of `npm run bench:queue`: how close the wait shown at
 * joining is to the wait that followed, for the queue's estimator
 * (src/domain/wait-estimate.ts) and for the naive "people ahead × fixed
 * minutes".
 *
 * A discrete-event simulation of whole days at a few kinds of place, every
 * draw from one seeded generator (mulberry32), so a run is repeatable:
 * - arrivals: a Poisson process whose rate follows the hour of the day (a
 *   morning rush, lunch, an afternoon bump), per service;
 * - service times: log-normal (skewed: most short, a few very long), plus the
 *   walk to the counter; some called visitors do not come (the counter waits
 *   1-3 min, then marks a no-show); staff take 3-25 s between "Done" and
 *   "Call next";
 * - counters: shifts and lunch breaks, so counters open and close during the
 *   day; a counter may serve several services, first come first served
 *   across them (what "Call next" does); a closing counter finishes its
 *   ticket first; at the end of the day counters serve whoever is left;
 * - some visitors give up and leave the queue (they are not scored; the
 *   people behind them move up, which no estimate at joining can know).
 * At each join the estimator gets what the store would give it: the
 * service's finishes of the last 30 min (time and service duration, at most
 * 40), the counters open for the service and how many of those hold a
 * called ticket. The naive estimate is `ahead × fixed minutes` (3 by
 * default), and, as a stronger baseline, the same with the fixed minutes
 * that would have scored best at that place, chosen after the fact. Scored: |shown − actual| over
 * every visitor who was called, where actual = called − joined.
 */
import { estimateWait, type ServiceActivity } from '../../src/domain/wait-estimate.js';

// ------------------------------------------------------------------ randomness

/** mulberry32: a small, fast 32-bit PRNG; good enough for a simulation, and repeatable from its seed. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const uniform = (rnd: () => number, lo: number, hi: number) => lo + (hi - lo) * rnd();
const exponential = (rnd: () => number, mean: number) => -mean * Math.log(1 - rnd());
function normal(rnd: () => number): number {
  // Box-Muller; 1 - u keeps log away from 0.
  return Math.sqrt(-2 * Math.log(1 - rnd())) * Math.cos(2 * Math.PI * rnd());
}
/** Log-normal with the given mean and coefficient of variation. */
function logNormal(rnd: () => number, mean: number, cv: number): number {
  const s2 = Math.log(1 + cv * cv);
  return Math.exp(Math.log(mean) - s2 / 2 + Math.sqrt(s2) * normal(rnd));
}

// ------------------------------------------------------------------ places

interface ServiceSpec {
  prefix: string;
  /** Mean time at the counter, seconds, and its coefficient of variation. */
  meanServiceSeconds: number;
  cv: number;
  /** Arrivals per hour at [hour of the day, rate] points, linear in between. */
  arrivals: [number, number][];
}

interface CounterSpec {
  name: string;
  services: string[];
  /** [from, until] hours of the day it is open; Infinity: until the queue is empty. */
  shifts: [number, number][];
}

export interface Place {
  name: string;
  opens: number;
  /** Hour of the day when no more tickets are taken. */
  closes: number;
  services: ServiceSpec[];
  counters: CounterSpec[];
  /** Share of called visitors who do not come, and share of waiting visitors who give up. */
  noShow: number;
  leave: number;
}

const END = Infinity;

/** The places simulated: each a different mix of services, skew and counter changes. */
export const PLACES: Place[] = [
  {
    name: 'bank branch',
    opens: 8.5,
    closes: 17,
    noShow: 0.03,
    leave: 0.05,
    services: [
      { prefix: 'A', meanServiceSeconds: 240, cv: 0.7, arrivals: [[8.5, 30], [9.5, 55], [11, 40], [12.25, 55], [13.5, 35], [15.5, 50], [17, 30]] },
      { prefix: 'B', meanServiceSeconds: 720, cv: 0.9, arrivals: [[8.5, 4], [10, 7], [12.5, 6], [14, 4], [16, 6], [17, 3]] },
    ],
    counters: [
      { name: '1', services: ['A'], shifts: [[8.5, 12], [12.75, END]] },
      { name: '2', services: ['A'], shifts: [[8.5, 12.75], [13.5, END]] },
      { name: '3', services: ['A'], shifts: [[9, 11.5], [13, 16]] },
      { name: '4', services: ['A'], shifts: [[11, 14.5], [15.5, END]] },
      { name: '5', services: ['A', 'B'], shifts: [[8.5, END]] },
      { name: '6', services: ['B'], shifts: [[8.5, 12.5], [13.25, END]] },
    ],
  },
  {
    name: 'clinic',
    opens: 8,
    closes: 16,
    noShow: 0.06,
    leave: 0.03,
    services: [{ prefix: 'C', meanServiceSeconds: 480, cv: 1.0, arrivals: [[8, 22], [9, 26], [10.5, 18], [12, 8], [13.5, 15], [16, 6]] }],
    counters: [
      { name: 'Room 1', services: ['C'], shifts: [[8, 12], [13, END]] },
      { name: 'Room 2', services: ['C'], shifts: [[8, 12.5], [13.5, END]] },
      { name: 'Room 3', services: ['C'], shifts: [[10, 15]] },
      { name: 'Room 4', services: ['C'], shifts: [[8.5, 10.5]] },
    ],
  },
  {
    name: 'service hall',
    opens: 9,
    closes: 17,
    noShow: 0.04,
    leave: 0.08,
    services: [
      { prefix: 'A', meanServiceSeconds: 150, cv: 0.5, arrivals: [[9, 40], [10, 70], [11.5, 50], [13, 60], [15, 40], [17, 25]] },
      { prefix: 'B', meanServiceSeconds: 420, cv: 1.1, arrivals: [[9, 8], [10.5, 13], [12, 8], [14, 11], [17, 5]] },
      { prefix: 'C', meanServiceSeconds: 900, cv: 0.8, arrivals: [[9, 2], [11, 4], [14, 3], [17, 2]] },
    ],
    counters: [
      { name: '1', services: ['A'], shifts: [[9, 12], [13, END]] },
      { name: '2', services: ['A'], shifts: [[9, 12.5], [13.5, END]] },
      { name: '3', services: ['A', 'B'], shifts: [[9, END]] },
      { name: '4', services: ['B'], shifts: [[9.5, 12], [12.5, 15.5]] },
      { name: '5', services: ['B', 'C'], shifts: [[9, 11], [11.25, END]] },
      { name: '6', services: ['C'], shifts: [[10, 16]] },
      { name: '7', services: ['A'], shifts: [[10, 11.5], [14, 15]] },
    ],
  },
];

// ------------------------------------------------------------------ simulation

/** What happened to one visitor who was called, with what was shown to them at joining. */
export interface Outcome {
  service: string;
  /** Seconds since midnight when the visitor joined. */
  joinedAt: number;
  ahead: number;
  actual: number;
  ours: number;
  range: [number, number];
}

interface Ticket {
  service: string;
  joinedAt: number;
  ahead: number;
  ours: number;
  range: [number, number];
  calledAt?: number;
  left?: boolean;
}

interface Counter {
  spec: CounterSpec;
  open: boolean;
  state: 'idle' | 'pending' | 'busy';
}

type Event =
  | { at: number; seq: number; kind: 'arrive'; service: string }
  | { at: number; seq: number; kind: 'open' | 'close' | 'call' | 'finish'; counter: Counter }
  | { at: number; seq: number; kind: 'leave'; ticket: Ticket };

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
type NewEvent = DistributiveOmit<Event, 'seq'>;

/** A binary min-heap of events by time, then by insertion order (so equal times are repeatable). */
class Events {
  private heap: Event[] = [];
  private seq = 0;
  push(e: NewEvent): void {
    const ev = { ...e, seq: this.seq++ } as Event;
    const h = this.heap;
    h.push(ev);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!before(h[i]!, h[p]!)) break;
      [h[i], h[p]] = [h[p]!, h[i]!];
      i = p;
    }
  }
  pop(): Event | undefined {
    const h = this.heap;
    const top = h[0];
    const last = h.pop();
    if (h.length && last) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && before(h[l]!, h[m]!)) m = l;
        if (r < h.length && before(h[r]!, h[m]!)) m = r;
        if (m === i) break;
        [h[i], h[m]] = [h[m]!, h[i]!];
        i = m;
      }
    }
    return top;
  }
}
const before = (a: Event, b: Event) => a.at < b.at || (a.at === b.at && a.seq < b.seq);

/** Arrival rate (per hour) at hour `h` from the service's points. */
function rateAt(points: [number, number][], h: number): number {
  if (h <= points[0]![0]) return points[0]![1];
  for (let i = 1; i < points.length; i++) {
    const [h1, r1] = points[i]!;
    const [h0, r0] = points[i - 1]!;
    if (h <= h1) return r0 + ((r1 - r0) * (h - h0)) / (h1 - h0);
  }
  return points[points.length - 1]![1];
}

/** Simulated days start on this date (UTC), so the estimator sees real-looking epoch times. */
const DAY_MS = Date.UTC(2026, 10, 30);
const toMs = (s: number) => DAY_MS + s * 1000;

/**
 * How the caller counts open counters: `open`, the counters really working
 * now; `assigned`, every counter assigned to the service (what a store with
 * no open/closed state per counter knows), to see how much a wrong count costs.
 */
export type CounterCount = 'open' | 'assigned';

/** One day at `place`; returns every called visitor's outcome. */
export function simulateDay(place: Place, seed: number, counted: CounterCount = 'open', estimate: typeof estimateWait = estimateWait): Outcome[] {
  const rnd = mulberry32(seed);
  const events = new Events();
  const hour = 3600;
  const waiting = new Map<string, Ticket[]>(place.services.map((s) => [s.prefix, []]));
  const waitingCount = new Map<string, number>(place.services.map((s) => [s.prefix, 0]));
  const finishes = new Map<string, { at: number; serviceMs: number }[]>(place.services.map((s) => [s.prefix, []]));
  const spec = new Map(place.services.map((s) => [s.prefix, s]));
  const counters: Counter[] = place.counters.map((c) => ({ spec: c, open: false, state: 'idle' }));
  const tickets: Ticket[] = [];
  const serving = new Map<Counter, Ticket>();
  const calledAtOf = new Map<Counter, number>();

  // Arrivals by thinning a Poisson process at the service's peak rate.
  for (const s of place.services) {
    const peak = Math.max(...s.arrivals.map(([, r]) => r));
    for (let t = place.opens * hour; ; ) {
      t += exponential(rnd, hour / peak);
      if (t >= place.closes * hour) break;
      if (rnd() < rateAt(s.arrivals, t / hour) / peak) events.push({ at: t, kind: 'arrive', service: s.prefix });
    }
  }
  for (const c of counters) {
    for (const [from, until] of c.spec.shifts) {
      events.push({ at: from * hour, kind: 'open', counter: c });
      if (until !== END) events.push({ at: until * hour, kind: 'close', counter: c });
    }
  }

  const staffDelay = () => uniform(rnd, 3, 25);
  /** The earliest-joined waiting ticket among the counter's services, removed from its line. */
  function next(c: Counter): Ticket | undefined {
    let best: Ticket | undefined;
    for (const p of c.spec.services) {
      const line = waiting.get(p)!;
      while (line.length && line[0]!.left) line.shift();
      const head = line[0];
      if (head && (!best || head.joinedAt < best.joinedAt)) best = head;
    }
    if (best) {
      waiting.get(best.service)!.shift();
      waitingCount.set(best.service, waitingCount.get(best.service)! - 1);
    }
    return best;
  }
  function wake(service: string, at: number): void {
    const idle = counters.filter((c) => c.open && c.state === 'idle' && c.spec.services.includes(service));
    if (!idle.length) return;
    const c = idle[Math.floor(rnd() * idle.length)]!;
    c.state = 'pending';
    events.push({ at: at + staffDelay(), kind: 'call', counter: c });
  }

  for (let e = events.pop(); e; e = events.pop()) {
    const now = e.at;
    switch (e.kind) {
      case 'arrive': {
        const recent = finishes.get(e.service)!;
        const activity: ServiceActivity = {
          finishedAt: [],
          serviceMs: [],
          countersOpen: counters.filter((c) => (c.open || counted === 'assigned') && c.spec.services.includes(e.service)).length,
          countersBusy: counters.filter((c) => c.open && c.state === 'busy' && c.spec.services.includes(e.service)).length,
        };
        for (let i = recent.length - 1; i >= 0 && activity.finishedAt.length < 40; i--) {
          if (recent[i]!.at < now - 1800) break;
          activity.finishedAt.push(toMs(recent[i]!.at));
          activity.serviceMs.push(recent[i]!.serviceMs);
        }
        const ahead = waitingCount.get(e.service)!;
        const est = estimate(ahead, activity, toMs(now));
        const t: Ticket = { service: e.service, joinedAt: now, ahead, ours: est.seconds, range: est.range };
        tickets.push(t);
        waiting.get(e.service)!.push(t);
        waitingCount.set(e.service, ahead + 1);
        if (rnd() < place.leave) events.push({ at: now + uniform(rnd, 300, 2700), kind: 'leave', ticket: t });
        wake(e.service, now);
        break;
      }
      case 'leave':
        if (e.ticket.calledAt === undefined && !e.ticket.left) {
          e.ticket.left = true;
          waitingCount.set(e.ticket.service, waitingCount.get(e.ticket.service)! - 1);
        }
        break;
      case 'open':
        e.counter.open = true;
        if (e.counter.state === 'idle') {
          e.counter.state = 'pending';
          events.push({ at: now + staffDelay(), kind: 'call', counter: e.counter });
        }
        break;
      case 'close':
        e.counter.open = false;
        break;
      case 'call': {
        const c = e.counter;
        const t = c.open ? next(c) : undefined;
        if (!t) {
          c.state = 'idle';
          break;
        }
        t.calledAt = now;
        c.state = 'busy';
        serving.set(c, t);
        calledAtOf.set(c, now);
        const s = spec.get(t.service)!;
        const duration = rnd() < place.noShow ? uniform(rnd, 60, 180) : uniform(rnd, 10, 40) + logNormal(rnd, s.meanServiceSeconds, s.cv);
        events.push({ at: now + duration, kind: 'finish', counter: c });
        break;
      }
      case 'finish': {
        const c = e.counter;
        const t = serving.get(c)!;
        serving.delete(c);
        finishes.get(t.service)!.push({ at: now, serviceMs: (now - calledAtOf.get(c)!) * 1000 });
        if (c.open) {
          c.state = 'pending';
          events.push({ at: now + staffDelay(), kind: 'call', counter: c });
        } else c.state = 'idle';
        break;
      }
    }
  }
  return tickets.filter((t) => t.calledAt !== undefined).map((t) => ({ service: t.service, joinedAt: t.joinedAt, ahead: t.ahead, actual: t.calledAt! - t.joinedAt, ours: t.ours, range: t.range }));
}

// ------------------------------------------------------------------ scoring

function quantile(xs: number[], q: number): number {
  if (!xs.length) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))]!;
}

export interface Score {
  tickets: number;
  medianActualMin: number;
  /** Median and p90 absolute error, minutes. */
  ours: { mae: number; p90: number; inRange: number; rangeWidthMin: number };
  naive: { minutesPerPerson: number; mae: number; p90: number };
  /** The naive estimate with the best fixed minutes for that place, chosen after the fact. */
  naiveBest: { minutesPerPerson: number; mae: number; p90: number };
}

const round2 = (x: number) => Math.round(x * 100) / 100;

export function score(outcomes: Outcome[], naiveMinutes: number): Score {
  const errMin = (f: (o: Outcome) => number) => outcomes.map((o) => Math.abs(f(o) - o.actual) / 60);
  const ours = errMin((o) => o.ours);
  const naiveErr = (m: number) => errMin((o) => o.ahead * m * 60);
  let best = { minutesPerPerson: naiveMinutes, mae: Infinity, p90: NaN };
  for (let m = 0.25; m <= 10; m += 0.25) {
    const e = naiveErr(m);
    const mae = quantile(e, 0.5);
    if (mae < best.mae) best = { minutesPerPerson: m, mae: round2(mae), p90: round2(quantile(e, 0.9)) };
  }
  const n = naiveErr(naiveMinutes);
  return {
    tickets: outcomes.length,
    medianActualMin: round2(quantile(outcomes.map((o) => o.actual / 60), 0.5)),
    ours: {
      mae: round2(quantile(ours, 0.5)),
      p90: round2(quantile(ours, 0.9)),
      inRange: round2(outcomes.filter((o) => o.actual >= o.range[0] && o.actual <= o.range[1]).length / Math.max(1, outcomes.length)),
      rangeWidthMin: round2(quantile(outcomes.map((o) => (o.range[1] - o.range[0]) / 60), 0.5)),
    },
    naive: { minutesPerPerson: naiveMinutes, mae: round2(quantile(n, 0.5)), p90: round2(quantile(n, 0.9)) },
    naiveBest: best,
  };
}

export interface EstimatorConfig {
  seed: number;
  days: number;
  naiveMinutes: number;
}

export interface EstimatorResult {
  config: EstimatorConfig;
  places: ({ place: string } & Score)[];
  all: Score;
  /** The same days, with every assigned counter counted as open. */
  assignedCounters: Score;
}

/** The phase: `days` seeded days at each place, scored per place and over all. */
export function runEstimator(config: EstimatorConfig): EstimatorResult {
  const every: Outcome[] = [];
  const assigned: Outcome[] = [];
  const places = PLACES.map((p, pi) => {
    const outcomes: Outcome[] = [];
    for (let d = 0; d < config.days; d++) {
      const seed = (config.seed + pi * 1000 + d) >>> 0;
      outcomes.push(...simulateDay(p, seed));
      assigned.push(...simulateDay(p, seed, 'assigned'));
    }
    every.push(...outcomes);
    return { place: p.name, ...score(outcomes, config.naiveMinutes) };
  });
  return { config, places, all: score(every, config.naiveMinutes), assignedCounters: score(assigned, config.naiveMinutes) };
}
