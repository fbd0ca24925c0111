import type { Kysely } from 'kysely';
import type { Checkin, CheckinFacts, Decision, Direction, PassCheckin, PassState, RecentScan, RegistrationFacts, SessionCounts } from '../domain/checkin.js';
import type { Attendee, CheckinSession } from '../domain/event.js';
import { AppError } from '../domain/errors.js';
import { timeOrderedUuid, type Random } from '../domain/random.js';
import { toAttendee } from './attendees.js';
import { checkinQueries } from './checkin-queries.js';
import { isForeignKeyViolation } from './constraint-errors.js';
import type { CheckinsTable, Database } from './schema.js';
import type { SnapshotReads } from './snapshot-reads.js';
import type { UnitContext, UnitsOfWork } from './units-of-work.js';

/** Thrown inside undo's unit to roll it back when the check-in was already undone. */
const NOTHING_TO_UNDO = new Error('nothing to undo');

/** Who scanned: a staff user (sign-in or API key) or a provisioned device. */
export interface ScanActor {
  /** `user:<id>` or `device:<id>`: nonces are unique per actor. */
  key: string;
  name: string;
  userId: string | null;
  deviceId: string | null;
}

export interface ScanRecord {
  session: CheckinSession;
  actor: ScanActor;
  nonce: string;
  method: 'code' | 'manual';
  direction: Direction;
  scannedAt: number;
  now: number;
  gate: string | null;
  /**
   * The attendee the code (genuine, fresh or not) or the manual pick names;
   * null for an unreadable code. Only an attendee of the session's event is
   * locked, told of the scan on their pass and linked to the scan record.
   */
  attendeeId: string | null;
}

/**
 * A scan whose session is read inside its own unit of work (`read`, on the
 * unit's handle, throwing to refuse): one statement on the batch's connection
 * instead of a query that first waits for the batch to let it go.
 */
export type ScanToRecord = Omit<ScanRecord, 'session'> & { session: CheckinSession | { read: (unit: UnitContext) => Promise<CheckinSession> } };

/** What the store knew when deciding, under the attendee's lock. */
export interface LockedFacts {
  attendee: Attendee | null;
  registration: RegistrationFacts | null;
  checkin: CheckinFacts | null;
}

export interface ScanOutcome<R> {
  response: R;
  replayed: boolean;
  /** The attendee's `pass:` channel as this scan left it, read inside its unit. */
  pass: PassState | null;
  /** The scanned attendee's details for the door, read inside the unit (absent on a replay, or when nobody of this event was named). */
  door?: DoorDetails;
}

/** What the door is told of the person besides the scan: the organiser's note, the sessions they may come to. */
export interface DoorDetails {
  note: string | null;
  sessions: { id: string; name: string }[];
}

const liveCheckin = (r: Pick<CheckinsTable, 'id' | 'at' | 'gate' | 'exited_at'>): CheckinFacts => ({
  id: r.id,
  at: Number(r.at),
  gate: r.gate,
  exitedAt: r.exited_at === null ? null : Number(r.exited_at),
});

const toCheckin = (r: CheckinsTable): Checkin => ({
  id: r.id,
  sessionId: r.session_id,
  attendeeId: r.attendee_id,
  at: Number(r.at),
  gate: r.gate,
  exitedAt: r.exited_at === null ? null : Number(r.exited_at),
  undoneAt: r.undone_at === null ? null : Number(r.undone_at),
});

const passCheckin = (c: { id: string | null; session_id: string | null; session_name: string | null; at: number | null; gate: string | null; exited_at: number | null }): PassCheckin => ({
  id: c.id!,
  session: { id: c.session_id!, name: c.session_name! },
  at: Number(c.at),
  gate: c.gate,
  exited_at: c.exited_at === null ? null : Number(c.exited_at),
});

/** The pass's live check-ins once a scan's decision is applied to those read before it (oldest first, as the pass query orders them). */
function checkinsAfter(before: PassCheckin[], d: Decision, changed: CheckinFacts | null, session: CheckinSession): PassCheckin[] {
  if (d.result === 'rejected' || !changed) return before;
  if (d.action === 'check_in') {
    const added = { id: changed.id, session: { id: session.id, name: session.name }, at: changed.at, gate: changed.gate, exited_at: null };
    return [...before, added].sort((a, b) => a.at - b.at);
  }
  return before.map((c) => (c.id === changed.id ? { ...c, exited_at: changed.exitedAt } : c));
}

/** A change to a check-in, told to the hook inside its transaction (the webhook outbox writes there). */
export interface CheckinChange {
  type: 'created' | 'exited' | 'reentered' | 'undone';
  checkinId: string;
  /** The check-in's event (whose webhook reports it). */
  eventId: string;
  at: number;
  /** The actor key: `user:<id>` or `device:<id>`. */
  by: string;
}
/** Told of each check-in change inside its unit of work (the webhook outbox writes there). */
export type CheckinHook = (unit: UnitContext, change: CheckinChange) => Promise<void>;
const CHANGE_OF = { check_in: 'created', check_out: 'exited', re_enter: 'reentered' } as const;

/** A retried nonce, found only once our own insert lost: roll back and replay the winner's answer. */
class NonceTaken extends Error {}

/** Check-ins and the record of every scan. Each scan is one atomic unit that locks its attendee first. */
export class CheckinsRepo {
  /** The statements every scan runs, compiled once (see PreparedQuery). */
  private readonly q = checkinQueries();

  constructor(
    private readonly db: Kysely<Database>,
    /** Where scans are written: on SQLite, scans that arrive together share a commit. */
    private readonly units: UnitsOfWork,
    /** Where the session's counts are read: off the event loop (see SnapshotReads). */
    private readonly reads: SnapshotReads,
    /** Where check-in ids come from. */
    private readonly random: Random,
    private readonly onChange?: CheckinHook,
  ) {}

  async responseForNonce(actorKey: string, nonce: string): Promise<string | undefined> {
    const r = await this.db.selectFrom('scans').select('response').where('actor_key', '=', actorKey).where('nonce', '=', nonce).executeTakeFirst();
    return r?.response;
  }

  /**
   * Records one scan: locks the named attendee (bumping their `pass:`
   * version), reads what the decision needs, lets `decide` choose, writes the
   * check-in change and the scan with its answer; all in one unit of work.
   * The session's version is bumped after the commit, by the counts
   * publisher (CheckinLive). A nonce the actor already used returns
   * the stored answer and changes nothing: its insert conflicts, the
   * unit rolls back, and the first answer is read back. (No look-up
   * before: retries are rare, and every scan would pay for it.)
   */
  async record<R>(
    scan: ScanToRecord,
    decide: (facts: LockedFacts, session: CheckinSession) => Decision,
    respond: (decision: Decision, facts: LockedFacts, checkin: CheckinFacts | null, session: CheckinSession) => R,
  ): Promise<ScanOutcome<R>> {
    try {
      return await this.units.execute(async (unit) => {
        const s: ScanRecord = { ...scan, session: 'read' in scan.session ? await scan.session.read(unit) : scan.session };
        const facts: LockedFacts = { attendee: null, registration: null, checkin: null };
        const checkins: PassCheckin[] = [];
        let door: DoorDetails | undefined;
        if (s.attendeeId) {
          const locked = (await unit.run(this.q.lockAttendee, { id: s.attendeeId, eventId: s.session.eventId })).rows[0];
          if (locked) {
            const a = (facts.attendee = toAttendee(locked));
            // Read here, under the lock, rather than after the commit: one statement on the unit's connection instead of two queries of their own.
            door = { note: locked.note, sessions: (await unit.run(this.q.doorSessions, { eventId: a.eventId, attendeeId: a.id })).rows };
            // Registration and every live check-in in one read, under the lock just taken.
            const { rows } = await unit.run(this.q.scanFacts, { attendeeId: a.id, sessionId: s.session.id });
            const reg = rows[0];
            facts.registration = reg?.reg ? { revokedAt: reg.reg_revoked_at === null ? null : Number(reg.reg_revoked_at) } : null;
            for (const r of rows) if (r.id !== null) checkins.push(passCheckin(r));
            const here = checkins.find((c) => c.session.id === s.session.id);
            facts.checkin = here ? { id: here.id, at: here.at, gate: here.gate, exitedAt: here.exited_at } : null;
          }
        }
        const decision = decide(facts, s.session);
        const checkin = await this.apply(unit, s, decision, facts);
        const response = respond(decision, facts, checkin, s.session);
        const ins = await unit.run(this.q.insertScan, {
          at: s.now,
          scanned_at: s.scannedAt,
          session_id: s.session.id,
          attendee_id: facts.attendee?.id ?? null,
          method: s.method,
          direction: s.direction,
          result: decision.result,
          reason: decision.result === 'rejected' ? decision.reason : null,
          checkin_id: checkin?.id ?? null,
          actor_key: s.actor.key,
          actor_name: s.actor.name,
          gate: s.gate,
          nonce: s.nonce,
          response: JSON.stringify(response),
        });
        if (Number(ins.numAffectedRows ?? 0) === 0) throw new NonceTaken();
        if (decision.result === 'ok' && checkin) await this.onChange?.(unit, { type: CHANGE_OF[decision.action], checkinId: checkin.id, eventId: s.session.eventId, at: s.now, by: s.actor.key });
        // No bump of the session's version here: it would lock the session row
        // until commit and so serialise every scan of a session (on Postgres).
        // The coalesced counts publisher bumps it after the commit instead.
        const pass: PassState | null = facts.attendee
          ? {
              attendee: facts.attendee,
              lastScan: { result: decision.result, reason: decision.result === 'rejected' ? decision.reason : null, session: { id: s.session.id, name: s.session.name }, at: s.scannedAt, gate: s.gate, direction: s.direction },
              checkins: checkinsAfter(checkins, decision, checkin, s.session),
            }
          : null;
        return { response, replayed: false, pass, ...(door ? { door } : {}) };
      });
    } catch (err) {
      // The session was deleted after the scan read it (flows/events/event-edits.ts): nothing was written.
      if (isForeignKeyViolation(err)) throw new AppError('not_found', 'no such session');
      if (!(err instanceof NonceTaken)) throw err;
      const again = await this.responseForNonce(scan.actor.key, scan.nonce);
      if (again === undefined) throw err;
      return { response: JSON.parse(again) as R, replayed: true, pass: null };
    }
  }

  /** Writes what an ok decision means; returns the check-in the answer should show (for a refusal, the one in the way). */
  private async apply(unit: UnitContext, s: ScanRecord, d: Decision, f: LockedFacts): Promise<CheckinFacts | null> {
    if (d.result === 'rejected') return d.previous ?? null;
    const current = f.checkin;
    if (d.action === 'check_in') {
      const row: CheckinsTable = {
        id: timeOrderedUuid(this.random, s.now),
        session_id: s.session.id,
        attendee_id: f.attendee!.id,
        at: s.scannedAt,
        gate: s.gate,
        method: s.method,
        by_user_id: s.actor.userId,
        by_device_id: s.actor.deviceId,
        exited_at: null,
        undone_at: null,
        undone_by: null,
      };
      await unit.run(this.q.insertCheckin, row);
      return liveCheckin(row);
    }
    const exitedAt = d.action === 'check_out' ? s.scannedAt : null;
    await unit.run(this.q.setExited, { id: current!.id, exitedAt });
    return { ...current!, exitedAt };
  }

  async byId(id: string): Promise<Checkin | undefined> {
    const r = await this.db.selectFrom('checkins').selectAll().where('id', '=', id).executeTakeFirst();
    return r && toCheckin(r);
  }

  /**
   * Undoes a live check-in of `eventId`: the attendee is locked (their
   * version bumped) first, like a scan. Returns the new versions, or null when
   * it was already undone (or never was).
   */
  async undo(c: Checkin, eventId: string, by: string, now: number): Promise<{ passVersion: number; sessionVersion: number } | null> {
    try {
      return await this.units.execute(async (unit) => {
        const trx = unit.db;
        // The attendee's row first, as a scan takes it, so the two never wait on each other.
        const a = await trx.updateTable('attendees').set((eb) => ({ version: eb('version', '+', 1) })).where('id', '=', c.attendeeId).returning('version').executeTakeFirst();
        const r = await trx.updateTable('checkins').set({ undone_at: now, undone_by: by }).where('id', '=', c.id).where('undone_at', 'is', null).executeTakeFirst();
        // Nothing to undo: roll the version bump back too, or a refused undo would move the pass.
        if (!a || Number(r.numUpdatedRows) === 0) throw NOTHING_TO_UNDO;
        await this.onChange?.(unit, { type: 'undone', checkinId: c.id, eventId, at: now, by: `user:${by}` });
        const v = await trx.updateTable('event_sessions').set((eb) => ({ version: eb('version', '+', 1) })).where('id', '=', c.sessionId).returning('version').executeTakeFirst();
        return { passVersion: Number(a.version), sessionVersion: Number(v?.version ?? 0) };
      });
    } catch (err) {
      if (err === NOTHING_TO_UNDO) return null;
      throw err;
    }
  }

  /** What the attendee's phone shows besides codes: their check-ins and the latest scan of their code. */
  async passState(attendee: Attendee): Promise<PassState> {
    const [checkins, last] = await Promise.all([
      this.passCheckins(attendee.id),
      this.db
        .selectFrom('scans')
        .innerJoin('event_sessions', 'event_sessions.id', 'scans.session_id')
        .select(['scans.result', 'scans.reason', 'scans.session_id', 'event_sessions.name as session_name', 'scans.scanned_at', 'scans.gate', 'scans.direction'])
        .where('scans.attendee_id', '=', attendee.id)
        .orderBy('scans.id', 'desc')
        .limit(1)
        .executeTakeFirst(),
    ]);
    return {
      attendee,
      lastScan: last
        ? { result: last.result, reason: last.reason, session: { id: last.session_id, name: last.session_name }, at: Number(last.scanned_at), gate: last.gate, direction: last.direction }
        : null,
      checkins,
    };
  }

  private async passCheckins(attendeeId: string): Promise<PassCheckin[]> {
    const { rows } = await this.q.passCheckins.execute(this.db, { attendeeId });
    return rows.map(passCheckin);
  }

  /** What organisers watch: expected, checked in, inside now, and the latest scans with who made them. */
  async sessionCounts(s: CheckinSession, latest = 10): Promise<SessionCounts> {
    const count = (n: { n: unknown } | undefined) => Number(n?.n ?? 0);
    const expectedQ = s.allAttendees
      ? this.db.selectFrom('attendees').select((eb) => eb.fn.countAll().as('n')).where('event_id', '=', s.eventId).where('revoked_at', 'is', null)
      : this.db
          .selectFrom('session_registrations')
          .innerJoin('attendees', 'attendees.id', 'session_registrations.attendee_id')
          .select((eb) => eb.fn.countAll().as('n'))
          .where('session_registrations.session_id', '=', s.id)
          .where('session_registrations.revoked_at', 'is', null)
          .where('attendees.revoked_at', 'is', null);
    // The three in one call: on SQLite one read transaction, one moment of the store.
    const [expected, live, scans] = await this.reads.read([
      expectedQ,
      // Checked in, and of those who left (inside is the difference). Counting who left reads only
      // their index entries, few while people come in, where counting who is inside read nearly
      // all of them again.
      this.db.selectNoFrom((eb) => {
        const live = () => eb.selectFrom('checkins').select(eb.fn.countAll().as('n')).where('session_id', '=', s.id).where('undone_at', 'is', null);
        return [live().as('n'), live().where('exited_at', 'is not', null).as('exited')];
      }),
      this.db
        .selectFrom('scans')
        .leftJoin('attendees', 'attendees.id', 'scans.attendee_id')
        .leftJoin('checkins as sc', 'sc.id', 'scans.checkin_id')
        .select(['scans.id', 'scans.at as recorded_at', 'scans.scanned_at', 'scans.result', 'scans.reason', 'scans.direction', 'scans.method', 'scans.gate', 'scans.actor_name', 'scans.attendee_id', 'attendees.name as attendee_name'])
        .select(['scans.checkin_id', 'sc.undone_at as checkin_undone_at', 'sc.at as checkin_at', 'sc.gate as checkin_gate'])
        .where('scans.session_id', '=', s.id)
        .orderBy('scans.id', 'desc')
        .limit(latest),
    ]);
    return {
      session: s,
      expected: count(expected[0]),
      checkedIn: count(live[0]),
      inside: count(live[0]) - Number(live[0]?.exited ?? 0),
      latest: scans.map(
        (r): RecentScan => ({
          id: Number(r.id),
          at: Number(r.scanned_at),
          recordedAt: Number(r.recorded_at),
          result: r.result,
          reason: r.reason,
          direction: r.direction,
          method: r.method,
          gate: r.gate,
          by: r.actor_name,
          attendee: r.attendee_id ? { id: r.attendee_id, name: r.attendee_name ?? '' } : null,
          checkin:
            r.checkin_id === null
              ? null
              : { id: r.checkin_id, live: r.checkin_undone_at === null, at: Number(r.checkin_at), gate: r.checkin_gate },
        }),
      ),
    };
  }
}
