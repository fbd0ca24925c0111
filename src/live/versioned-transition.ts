import type { AppError } from '../domain/errors.js';
import type { LiveEvent } from '../domain/live-event.js';
import type { ChannelRegistry } from './channel-registry.js';

/** A row that moves through states; each change a screen should see bumps `version`. */
interface VersionedRow {
  id: string;
  version: number;
}

/** Where the rows live: a read by id and a compare-and-set write (see `updateIfVersion`). */
interface VersionedRows<Stored extends Row, Row extends VersionedRow> {
  byId(id: string): Promise<Stored | undefined>;
  /** Writes `next` only if the row is still at `expectedVersion`; false when another writer won. */
  update(next: Row, expectedVersion: number): Promise<boolean>;
}

/** What a pure step decided: the row to write (null: nothing to write) and anything for the caller. */
interface StepOutcome<Row, Result> {
  next: Row | null;
  result: Result;
}

interface TransitionOutcome<Stored, Result> {
  /** The row as written (or as read, when the step wrote nothing). */
  row: Stored;
  result: Result;
  /** Whether the version moved, and so the channel was told. */
  changed: boolean;
}

export type VersionedTransition<Stored extends Row, Row extends VersionedRow> = <Result>(
  /** The row's id, or the row the caller has just read (saves reading it again; a lost race re-reads). */
  target: string | Stored,
  step: (cur: Stored) => StepOutcome<Row, Result>,
) => Promise<TransitionOutcome<Stored, Result>>;

interface VersionedTransitionOptions<Stored extends Row, Row extends VersionedRow> {
  rows: VersionedRows<Stored, Row>;
  live: { publish(event: LiveEvent): void };
  /** The live channel of a row, e.g. `share:<id>`. */
  channel: (id: string) => string;
  /** The event screens get; use the same function for the channel's registry snapshot. */
  snapshot: (row: Row) => Omit<LiveEvent, 'channel'>;
  /** Thrown when the row does not exist (or no longer does). */
  missing: () => AppError;
  /** Thrown after `maxAttempts` lost races in a row. */
  contended: () => AppError;
  maxAttempts?: number;
}

/**
 * Builds the read, step, compare-and-set, retry, publish loop for one kind of
 * versioned row. The step is pure and may run more than once: on a lost race
 * the row is re-read and the step re-applied, so it always decides on the
 * winner's state. A written row whose version moved is published to its
 * channel after the commit; a write that keeps the version (bookkeeping such as
 * a poll time) is stored but not published.
 *
 * @example
 *   const transition = versionedTransition({
 *     rows: shares, // byId + update(next, expectedVersion)
 *     live,
 *     channel: (id) => `share:${id}`,
 *     snapshot: (r) => ({ version: r.version, type: r.status, data: channelView(r) }),
 *     missing: () => new AppError('not_found', 'no such share'),
 *     contended: () => new AppError('conflict', 'this share is changing too fast; try again'),
 *   });
 *   const { row, changed } = await transition(id, (cur) => ({ next: approve(cur, userId, now), result: null }));
 */
function versionedTransition<Stored extends Row, Row extends VersionedRow>(
  o: VersionedTransitionOptions<Stored, Row>,
): VersionedTransition<Stored, Row> {
  const maxAttempts = o.maxAttempts ?? 10;
  return async (target, step) => {
    const id = typeof target === 'string' ? target : target.id;
    let fresh = typeof target === 'string' ? undefined : target;
    for (let attempt = 0; attempt < maxAttempts; attempt++) {
      const cur = fresh ?? (await o.rows.byId(id));
      fresh = undefined;
      if (!cur) throw o.missing();
      const { next, result } = step(cur);
      if (!next) return { row: cur, result, changed: false };
      if (!(await o.rows.update(next, cur.version))) continue;
      const changed = next.version > cur.version;
      if (changed) o.live.publish({ channel: o.channel(id), ...o.snapshot(next) });
      return { row: { ...cur, ...next }, result, changed };
    }
    throw o.contended();
  };
}

/**
 * `versionedTransition` for a kind of row screens watch: also registers the
 * kind's channel snapshot, read by id and built by the same `snapshot` the
 * transitions publish, so a screen that joins late sees what watchers were sent.
 */
export function liveVersionedTransition<Stored extends Row, Row extends VersionedRow>(
  kind: string,
  o: VersionedTransitionOptions<Stored, Row> & { live: { registry: Pick<ChannelRegistry, 'register'> } },
): VersionedTransition<Stored, Row> {
  o.live.registry.register(kind, async (id) => {
    const row = await o.rows.byId(id);
    return row ? o.snapshot(row) : null;
  });
  return versionedTransition(o);
}

/**
 * Moves each of `ids` to expired, one at a time, and counts those whose version
 * moved (their channels were told). A row decided or purged meanwhile is
 * skipped: the sweep is best-effort and runs again.
 */
export async function expireEach<Stored extends Row, Row extends VersionedRow>(
  transition: VersionedTransition<Stored, Row>,
  ids: readonly string[],
  expire: (cur: Stored) => Row | null,
): Promise<number> {
  let n = 0;
  for (const id of ids) {
    try {
      const { changed } = await transition(id, (cur) => ({ next: expire(cur), result: null }));
      if (changed) n++;
    } catch {
      /* decided or purged meanwhile */
    }
  }
  return n;
}
