import { sha256 } from '../../auth/secrets.js';
import { attendeeNamed, decideCheckin, type CheckinFacts, type Decision, type Direction, type Identification, type RefusalReason } from '../../domain/checkin.js';
import type { Clock } from '../../domain/clock.js';
import { AppError } from '../../domain/errors.js';
import { passLinkGrant, type LiveAccess } from '../../domain/live-grant.js';
import { ACCEPT_SECONDS, checkDecoded, checkDecodedAsync, decodePassToken, upcomingCodes, WINDOW_SECONDS } from '../../domain/pass-token.js';
import type { LiveService } from '../../live/live-service.js';
import type { Attendee, CheckinSession } from '../../domain/event.js';
import type { AttendeesRepo } from '../../store/attendees.js';
import type { AuditLog } from '../../store/audit-log.js';
import type { CheckinsRepo, DoorDetails, LockedFacts, ScanToRecord } from '../../store/checkins.js';
import type { UnitContext } from '../../store/units-of-work.js';
import type { EventsRepo } from '../../store/events.js';
import type { ScannerDevicesRepo } from '../../store/scanner-devices.js';
import type { User } from '../../store/users.js';
import { CheckinLive, passChannel, sessionChannel } from './checkin-live.js';
import type { ScanAnswer } from './checkin-schemas.js';
import { passStateView } from './checkin-views.js';
import type { EventKeyCache } from './event-keys.js';
import { deviceSession, requireStaff, scannerEvent, scannerSession } from './checkin-access.js';
import { actorOf, scannerAccess, type Scanner } from './scanner-auth.js';

export interface CheckinDeps {
  events: EventsRepo;
  attendees: AttendeesRepo;
  devices: ScannerDevicesRepo;
  checkins: CheckinsRepo;
  live: LiveService;
  audit: AuditLog;
  clock: Clock;
  keys: EventKeyCache;
  onError: (err: unknown, context: string) => void;
  closing: () => boolean;
}

export interface CheckinOptions {
  /** How many windows of codes a pass gets at once. */
  codesAhead: number;
  /** How far back a scanner's `scanned_at` may lie (offline scanners upload late). */
  maxScanAgeSeconds: number;
  /**
   * Whether busy doors have their codes checked in libuv's thread pool. It pays
   * only where a core is free for the pool: on two cores, with the scans
   * already keeping one busy, handing each signature over cost more than it
   * saved (its ~30 µs plus ~10 µs of hand-over on the event loop, and the pool's
   * thread preempting the loop): check-ins/s fell by 9-23% in alternating runs
   * of `bench:checkin`. SCANPASS_CHECKIN_SIGNATURE_POOL; `auto` is more than two cores.
   */
  checkCodesOffThread: boolean;
}

const REFUSAL_MESSAGES: Record<RefusalReason, string> = {
  invalid_code: 'this is not a check-in code of ours, or it is damaged',
  wrong_event: 'this code is for another event',
  expired_code: 'this code has expired; ask the attendee to show the current one',
  session_closed: 'check-in for this session is closed',
  revoked: 'this registration has been cancelled',
  not_registered: 'this attendee is not registered for this session',
  already_checked_in: 'already checked in',
  not_checked_in: 'not checked in, so cannot check out',
  not_yet_open: 'check-in for this session has not opened yet; see opens_at',
};

export interface ScanInput {
  session_id: string;
  nonce: string;
  direction: Direction;
  scanned_at?: number | undefined;
  /** An offline scanner's late upload: only then is `scanned_at` believed. */
  offline?: boolean | undefined;
  gate?: string | undefined;
}

/** How many passes "My passes" lists (the latest events). */
const MY_PASSES_LIMIT = 200;

/**
 * Scans, manual check-ins, undo, live counts and passes. Every scan, refused
 * or not, is one transaction that records it, then the attendee's `pass:`
 * channel and the session's `session:` channel are published.
 */
export class CheckinService {
  readonly channels: CheckinLive;
  /** Code scans between their arrival and their answer. */
  private scansInFlight = 0;

  constructor(
    private readonly d: CheckinDeps,
    private readonly o: CheckinOptions,
  ) {
    this.channels = new CheckinLive(d.live, d, d.onError, d.closing);
  }

  /** A scanned code. Refusals are answers (and recorded); only who may scan is an error. */
  async scan(scanner: Scanner, input: ScanInput & { code: string }): Promise<{ answer: ScanAnswer; replayed: boolean }> {
    this.scansInFlight++;
    try {
      return await this.scanCode(scanner, input);
    } finally {
      this.scansInFlight--;
    }
  }

  private async scanCode(scanner: Scanner, input: ScanInput & { code: string }) {
    // A device, the door's usual scanner, has its session read and checked inside the scan's unit of work (see ScanToRecord).
    const session = scanner.kind === 'device' ? { read: (unit: UnitContext) => deviceSession(this.d.events, scanner.device, input.session_id, unit) } : await scannerSession(this.d.events, scanner, input.session_id);
    const at = this.scanTime(input);
    const decoded = decodePassToken(input.code);
    let verifier;
    if (decoded.ok) {
      const eventId = decoded.claims.eventId;
      verifier = this.d.keys.cachedVerifier(eventId);
      if (!verifier) {
        const ev = await this.d.events.event(eventId);
        verifier = ev && this.d.keys.verifier(ev.id, ev.privateKey);
      }
    }
    return this.record(scanner, session, input, at, { kind: 'code', token: await this.checkCode(decoded, verifier, at) });
  }

  /**
   * A lone scan (a quiet door) has its code checked here: signing takes about
   * 30 µs, while the trip through libuv's thread pool and back added about
   * 200 µs to the attendee's wait. With other scans in flight the pool does
   * it beside the event loop, where a core is free for it (see
   * CheckinOptions.checkCodesOffThread).
   */
  private checkCode(...[decoded, verifier, at]: Parameters<typeof checkDecoded>) {
    return this.o.checkCodesOffThread && this.scansInFlight > 1 ? checkDecodedAsync(decoded, verifier, at) : checkDecoded(decoded, verifier, at);
  }

  /**
   * Staff picks the attendee by id (no phone, flat battery); same decision and
   * record as a scan. Attendee ids are readable from any photo of a code, so
   * an id of another event's attendee is answered like an unknown one (404,
   * nothing recorded, nobody's pass told): staff of one event learn nothing
   * of another's attendees and cannot write onto their passes.
   */
  async manual(scanner: Scanner, input: ScanInput & { attendee_id: string }) {
    const session = await scannerSession(this.d.events, scanner, input.session_id);
    const named = await this.d.attendees.byId(input.attendee_id);
    if (!named || named.eventId !== session.eventId) throw new AppError('not_found', 'no such attendee in this event');
    const out = await this.record(scanner, session, input, this.scanTime(input), { kind: 'manual', attendeeId: input.attendee_id });
    await this.d.audit.record({
      at: this.d.clock.now(),
      actorId: scanner.kind === 'user' ? scanner.user.id : null,
      action: 'checkin_manual',
      subject: sessionChannel(session.id),
      outcome: out.answer.result === 'ok' ? 'ok' : 'refused',
      detail: { attendee_id: input.attendee_id, reason: out.answer.reason, device_id: scanner.kind === 'device' ? scanner.device.id : null },
    });
    return out;
  }

  /** Undoes a wrong check-in: admins, or staff of its session. */
  async undo(user: User, checkinId: string) {
    const c = await this.d.checkins.byId(checkinId);
    if (!c) throw new AppError('not_found', 'no such check-in');
    const session = await this.d.events.session(c.sessionId);
    if (!session) throw new AppError('not_found', 'no such check-in');
    await requireStaff(this.d.events, user, session);
    const moved = await this.d.checkins.undo(c, session.eventId, user.id, this.d.clock.now());
    if (!moved) throw new AppError('conflict', 'this check-in has already been undone');
    await this.d.audit.record({ at: this.d.clock.now(), actorId: user.id, action: 'checkin_undo', subject: sessionChannel(session.id), outcome: 'ok', detail: { checkin_id: c.id, attendee_id: c.attendeeId } });
    this.channels.publishPass(c.attendeeId);
    this.channels.publishSession(session.id);
    return { id: c.id, undone: true };
  }

  /** Live counts for organisers and the session's staff and devices, with a token to watch them. */
  async counts(scanner: Scanner, sessionId: string) {
    const session = await scannerSession(this.d.events, scanner, sessionId);
    const snap = await this.channels.sessionSnapshot(session.id);
    return { version: snap!.version, ...snap!.data, live: this.d.live.grant(sessionChannel(session.id), scannerAccess(scanner)) };
  }

  /** The event's public key and code format, for scanners that check codes offline. */
  async publicKey(scanner: Scanner, eventId: string) {
    const ev = await scannerEvent(this.d.events, scanner, eventId);
    return { event_id: ev.id, alg: 'Ed25519' as const, public_key: ev.publicKey, format: 'sp1', window_seconds: WINDOW_SECONDS, accept_seconds: ACCEPT_SECONDS };
  }

  /** Who may come to what, for offline scanners; admins also see emails and accounts. */
  async attendeeList(scanner: Scanner, eventId: string, limit: number, offset: number) {
    await scannerEvent(this.d.events, scanner, eventId);
    const isAdmin = scanner.kind === 'user' && scanner.user.role === 'admin';
    const [people, regs] = await Promise.all([this.d.attendees.listForEvent(eventId, limit, offset), this.d.attendees.registrationsForEvent(eventId)]);
    const sessionsOf = new Map<string, string[]>();
    for (const r of regs) sessionsOf.set(r.attendeeId, [...(sessionsOf.get(r.attendeeId) ?? []), r.sessionId]);
    return {
      attendees: people.map((a) => ({
        id: a.id,
        name: a.name,
        revoked: a.revokedAt !== null,
        sessions: sessionsOf.get(a.id) ?? [],
        ...(isAdmin ? { email: a.email, user_id: a.userId } : {}),
      })),
    };
  }

  /**
   * The signed-in attendee's pass for an event: their account's row, or the
   * row an organiser added with their e-mail. Its channel token ends with the
   * caller's sign-in or key.
   */
  async passForUser(eventId: string, person: { id: string; email: string }, access: LiveAccess) {
    const a = await this.d.attendees.forPerson(eventId, person);
    if (!a) throw new AppError('not_found', 'you are not registered for this event');
    return this.pass(a, access);
  }

  /** The signed-in person's passes, one per event, the latest event first (by account or e-mail, as passForUser). */
  async passesOf(person: { id: string; email: string }) {
    const rows = await this.d.attendees.eventsOfPerson(person, MY_PASSES_LIMIT);
    return {
      passes: rows.map(({ attendee: a, event: ev }) => ({
        event: { id: a.eventId, name: ev.name, starts_at: ev.startsAt, ends_at: ev.endsAt },
        attendee: { id: a.id, name: a.name, revoked: a.revokedAt !== null },
        url: `/pass?event=${encodeURIComponent(a.eventId)}`,
      })),
    };
  }

  /** A pass opened through the personal link an organiser sent. */
  async passByLink(token: string) {
    const hash = token.length <= 100 ? sha256(token) : undefined;
    const a = hash ? await this.d.attendees.byLinkHash(hash) : undefined;
    if (!a || !hash) throw new AppError('not_found', 'this pass link is unknown or has been replaced');
    // Replacing the link revokes this grant: what the old link opened ends.
    return this.pass(a, { grants: [passLinkGrant(hash)] });
  }

  private async pass(a: Attendee, access: LiveAccess) {
    const ev = (await this.d.events.event(a.eventId))!;
    const [sessions, state] = await Promise.all([this.d.events.sessionsOf(ev.id), this.d.checkins.passState(a)]);
    const regs = new Set((await this.d.attendees.registrationsForEvent(ev.id)).filter((r) => r.attendeeId === a.id).map((r) => r.sessionId));
    const now = this.d.clock.now();
    const revoked = a.revokedAt !== null;
    return {
      ...passStateView(state),
      version: a.version,
      event: { id: ev.id, name: ev.name, starts_at: ev.startsAt, ends_at: ev.endsAt, public_key: ev.publicKey },
      sessions: sessions.filter((s) => s.allAttendees || regs.has(s.id)).map((s) => ({ id: s.id, name: s.name, place: s.place, starts_at: s.startsAt, ends_at: s.endsAt })),
      server_time: now,
      window_seconds: WINDOW_SECONDS,
      // A revoked pass shows no codes: nothing to scan.
      codes: revoked ? [] : upcomingCodes(ev.id, a.id, this.d.keys.signer(ev.id, ev.privateKey), now, this.o.codesAhead),
      live: this.d.live.grant(passChannel(a.id), access, this.o.codesAhead * WINDOW_SECONDS + 300),
    };
  }

  private async record(scanner: Scanner, session: ScanToRecord['session'], input: ScanInput, at: number, id: Identification) {
    const named = attendeeNamed(id);
    const out = await this.d.checkins.record<ScanAnswer>(
      {
        session,
        actor: actorOf(scanner),
        nonce: input.nonce,
        method: id.kind,
        direction: input.direction,
        scannedAt: at,
        now: this.d.clock.now(),
        gate: input.gate ?? (scanner.kind === 'device' ? scanner.device.name : null),
        attendeeId: named?.attendeeId ?? null,
      },
      // A CheckinSession is its SessionFacts, an Attendee its AttendeeFacts: the decision reads them as they are.
      (f, s) => decideCheckin({ id, direction: input.direction, at, session: s, attendee: f.attendee, registration: f.registration, checkin: f.checkin }),
      (decision, f, checkin, s) => answer(decision, f, checkin, s, input, at),
    );
    if (out.pass) this.channels.publishPassState(out.pass);
    // Every recorded scan moves the session's counts or latest scans; a replay changed nothing.
    if (!out.replayed) this.channels.publishSession(input.session_id);
    return { answer: await this.withDoorDetails(out.response, out.door), replayed: out.replayed };
  }

  /**
   * The attendee's details that matter at the door (the organiser's note, the
   * sessions they may come to), current for every answer, replays too: they
   * describe the person, not the scan, so they are not part of the stored
   * answer. A scan reads them in its unit (`read`); a replay reads them now.
   */
  private async withDoorDetails(a: ScanAnswer, read?: DoorDetails): Promise<ScanAnswer> {
    if (!a.attendee) return a;
    const d = read ?? (await this.d.attendees.doorDetails(a.attendee.id));
    return { ...a, attendee: { ...a.attendee, note: d.note, sessions: d.sessions } };
  }

  /**
   * When the scan happened. Back-dating is for offline uploads alone: an
   * online scanner is answered now, so the server's clock is its time (a
   * client-chosen time could otherwise slip a scan into a closed session's
   * window, or reorder the record).
   */
  private scanTime({ scanned_at: scannedAt, offline }: ScanInput): number {
    const now = this.d.clock.now();
    if (scannedAt === undefined || offline !== true) return now;
    if (scannedAt < now - this.o.maxScanAgeSeconds * 1000) throw new AppError('invalid_request', `scanned_at is more than ${this.o.maxScanAgeSeconds} s ago`);
    // A scanner clock running ahead does not get to scan in the future.
    return Math.min(scannedAt, now);
  }
}

/** The answer for one decision; it names the attendee only when they belong to this session's event. */
function answer(d: Decision, f: LockedFacts, checkin: CheckinFacts | null, session: CheckinSession, input: ScanInput, at: number): ScanAnswer {
  const mine = f.attendee && f.attendee.eventId === session.eventId ? { id: f.attendee.id, name: f.attendee.name } : null;
  return {
    result: d.result,
    reason: d.result === 'rejected' ? d.reason : null,
    message: d.result === 'rejected' ? REFUSAL_MESSAGES[d.reason] : d.action === 'check_out' ? 'checked out' : 'checked in',
    action: d.result === 'ok' ? d.action : null,
    direction: input.direction,
    session_id: session.id,
    nonce: input.nonce,
    scanned_at: at,
    attendee: mine,
    checkin: checkin && mine ? { id: checkin.id, session_id: session.id, at: checkin.at, gate: checkin.gate, exited_at: checkin.exitedAt } : null,
    ...(d.result === 'rejected' && d.opensAt !== undefined ? { opens_at: d.opensAt } : {}),
  };
}
