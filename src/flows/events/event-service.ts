import { sha256 } from '../../auth/secrets.js';
import type { Clock } from '../../domain/clock.js';
import { AppError } from '../../domain/errors.js';
import { deviceGrant, passLinkGrant, userGrant } from '../../domain/live-grant.js';
import { randomToken, randomUuid, type Random } from '../../domain/random.js';
import type { CheckinEvent, CheckinSession } from '../../domain/event.js';
import type { AttendeesRepo, NewAttendee } from '../../store/attendees.js';
import type { AuditLog } from '../../store/audit-log.js';
import type { EventsRepo } from '../../store/events.js';
import type { NewDevice, ScannerDevicesRepo } from '../../store/scanner-devices.js';
import type { UnitsOfWork } from '../../store/units-of-work.js';
import type { UsersRepo } from '../../store/users.js';
import { sessionChannel, type CheckinLive } from '../checkin/checkin-live.js';
import { attendeeView, deviceView, eventView, sessionView, staffView } from './event-views.js';
import { generateEventKeys } from '../checkin/event-keys.js';
import { scannableBy } from '../checkin/checkin-access.js';
import { DEVICE_TOKEN_PREFIX, type Scanner } from '../checkin/scanner-auth.js';
import type { PassLinks } from './pass-links.js';

export interface EventServiceDeps {
  events: EventsRepo;
  attendees: AttendeesRepo;
  devices: ScannerDevicesRepo;
  users: UsersRepo;
  audit: AuditLog;
  units: UnitsOfWork;
  channels: CheckinLive;
  clock: Clock;
  random: Random;
  publicUrl: string;
  /** Keeps each new link readable, so it can be mailed and exported again (pass-links.ts). */
  passLinks: PassLinks;
}

/** By default check-in opens this long before a session starts. */
const DEFAULT_OPEN_BEFORE_MS = 30 * 60_000;
/** The scanner's picker leaves out sessions whose check-in closed longer ago than this. */
const SCANNER_RECENT_MS = 24 * 3600_000;
/** Bounds the answer: an admin's picker lists the sessions of every event. */
const SCANNER_MAX_SESSIONS = 500;

/** The organiser's side of check-in: events, sessions, attendees, registrations, staff and scanners. */
export class EventService {
  constructor(private readonly d: EventServiceDeps) {}

  async createEvent(by: string, input: { name: string; starts_at: number; ends_at: number }) {
    if (input.ends_at <= input.starts_at) throw new AppError('invalid_request', 'ends_at must be after starts_at');
    const keys = generateEventKeys();
    const row: CheckinEvent = { id: randomUuid(this.d.random), name: input.name.trim(), startsAt: input.starts_at, endsAt: input.ends_at, publicKey: keys.publicKey, privateKey: keys.privateKey, createdBy: by, createdAt: this.d.clock.now(), version: 1, archivedAt: null };
    await this.d.events.insertEvent(row);
    await this.audit(by, 'event_create', `event:${row.id}`, { name: row.name });
    return eventView(row);
  }

  async listEvents(limit: number, offset: number, archived = false) {
    return { events: (await this.d.events.listEvents(limit, offset, archived)).map(eventView) };
  }

  async event(id: string) {
    const ev = await this.requireEvent(id);
    return { ...eventView(ev), sessions: (await this.d.events.sessionsOf(id)).map(sessionView) };
  }

  async createSession(
    eventId: string,
    input: { name: string; place?: string | undefined; starts_at: number; ends_at: number; opens_at?: number | undefined; closes_at?: number | undefined; all_attendees?: boolean | undefined },
  ) {
    await this.requireEvent(eventId);
    const opensAt = input.opens_at ?? input.starts_at - DEFAULT_OPEN_BEFORE_MS;
    const closesAt = input.closes_at ?? input.ends_at;
    if (input.ends_at <= input.starts_at || closesAt <= opensAt) throw new AppError('invalid_request', 'a session must end after it starts, and check-in close after it opens');
    const row: CheckinSession = {
      id: randomUuid(this.d.random),
      eventId,
      name: input.name.trim(),
      place: input.place?.trim() || null,
      startsAt: input.starts_at,
      endsAt: input.ends_at,
      opensAt,
      closesAt,
      closedAt: null,
      allAttendees: input.all_attendees === true,
      version: 1,
      createdAt: this.d.clock.now(),
      archivedAt: null,
    };
    await this.d.events.insertSession(row);
    return sessionView(row);
  }

  /**
   * Adds a person to an event, optionally linked to an account; the personal
   * pass link is returned once. The attendee, their registrations, the moved
   * session versions and the audit entry are one unit of work: all or nothing.
   */
  async createAttendee(by: string, eventId: string, input: { name: string; email?: string | undefined; user_id?: string | undefined; session_ids?: string[] | undefined; language?: 'en' | 'zh-CN' | undefined; note?: string | undefined }) {
    await this.requireEvent(eventId);
    if (input.user_id && !(await this.d.users.findById(input.user_id))) throw new AppError('invalid_request', 'no account has this user_id');
    const sessions = await this.sessionsIn(eventId, input.session_ids ?? []);
    // Sessions open to every attendee expect the new one too.
    const openToAll = (await this.d.events.sessionsOf(eventId)).filter((s) => s.allAttendees).map((s) => s.id);
    const touched = [...new Set([...sessions, ...openToAll])];
    const linkToken = randomToken(this.d.random, 24);
    const now = this.d.clock.now();
    const row: NewAttendee = { id: randomUuid(this.d.random), eventId, userId: input.user_id ?? null, name: input.name.trim(), email: input.email?.trim().toLowerCase() || null, linkTokenHash: sha256(linkToken), version: 1, createdAt: now, revokedAt: null };
    await this.d.passLinks.ready();
    await this.d.units.execute(async ({ db }) => {
      if (!(await this.d.attendees.insert(row, db))) throw new AppError('conflict', 'this account is already an attendee of this event');
      await this.d.passLinks.keep(row.id, linkToken, db);
      if (input.language) await db.updateTable('attendees').set({ language: input.language }).where('id', '=', row.id).execute();
      const note = input.note?.trim() || null;
      if (note) await this.d.attendees.setNote(row.id, note, db);
      for (const s of sessions) await this.d.attendees.register(s, row.id, now, db);
      for (const s of touched) await this.d.events.bumpSession(s, db);
      await this.d.audit.record({ at: now, actorId: by, action: 'attendee_create', subject: `event:${eventId}`, outcome: 'ok', detail: { attendee_id: row.id } }, db);
    });
    for (const s of touched) this.d.channels.publishSession(s);
    return { ...attendeeView(row), note: input.note?.trim() || null, session_ids: sessions, ...this.link(linkToken) };
  }

  /** Sets or clears (empty or null) the organiser's note that door staff see when they scan or find the attendee. */
  async setAttendeeNote(by: string, attendeeId: string, note: string | null) {
    const a = await this.d.attendees.byId(attendeeId);
    if (!a) throw new AppError('not_found', 'no such attendee');
    const value = note?.trim() || null;
    await this.d.attendees.setNote(attendeeId, value);
    await this.audit(by, 'attendee_note', `event:${a.eventId}`, { attendee_id: a.id });
    return { ...attendeeView(a), note: value };
  }

  /** A new personal link; the old one (if any, mailed or not) stops working. */
  async rotateLink(attendeeId: string) {
    const token = randomToken(this.d.random, 24);
    const old = await this.d.attendees.linkHash(attendeeId);
    if (old === undefined) throw new AppError('not_found', 'no such attendee');
    await this.d.passLinks.ready();
    const set = await this.d.units.execute(async ({ db }) => {
      if (!(await this.d.attendees.setLinkHash(attendeeId, sha256(token), db))) return false;
      // The kept copy follows, so a resend and the links CSV give the new link.
      await this.d.passLinks.keep(attendeeId, token, db);
      return true;
    });
    if (!set) throw new AppError('not_found', 'no such attendee');
    // Whoever holds the old link stops seeing the pass.
    if (old) this.d.channels.revoke(passLinkGrant(old));
    return this.link(token);
  }

  async revokeAttendee(by: string, attendeeId: string) {
    const a = await this.d.attendees.byId(attendeeId);
    if (!a) throw new AppError('not_found', 'no such attendee');
    if ((await this.d.attendees.revoke(attendeeId, this.d.clock.now())) === null) throw new AppError('conflict', 'this attendee is already revoked');
    await this.audit(by, 'attendee_revoke', `event:${a.eventId}`, { attendee_id: a.id });
    this.d.channels.publishPass(a.id);
    for (const s of await this.d.events.sessionsOf(a.eventId)) await this.touchSession(s.id);
    return attendeeView((await this.d.attendees.byId(attendeeId))!);
  }

  async register(sessionId: string, attendeeId: string, on: boolean) {
    const session = await this.d.events.session(sessionId);
    const a = await this.d.attendees.byId(attendeeId);
    if (!session || !a) throw new AppError('not_found', 'no such session or attendee');
    if (a.eventId !== session.eventId) throw new AppError('invalid_request', 'the attendee belongs to another event');
    if (on) await this.d.attendees.register(sessionId, attendeeId, this.d.clock.now());
    else if (!(await this.d.attendees.unregister(sessionId, attendeeId, this.d.clock.now()))) throw new AppError('not_found', 'the attendee is not registered for this session');
    await this.touchSession(sessionId);
    return { session_id: sessionId, attendee_id: attendeeId, registered: on };
  }

  async setStaff(sessionId: string, userId: string, on: boolean) {
    if (!(await this.d.events.session(sessionId))) throw new AppError('not_found', 'no such session');
    const user = await this.d.users.findById(userId);
    if (!user) throw new AppError('not_found', 'no such user');
    if (on) {
      if (user.role === 'member') throw new AppError('invalid_request', 'only staff and admin accounts can staff a session');
      await this.d.events.addStaff(sessionId, userId, this.d.clock.now());
    } else {
      if (!(await this.d.events.removeStaff(sessionId, userId))) throw new AppError('not_found', 'this user does not staff this session');
      // Their dashboard and scanner counts of this session end, on every node; their other sessions and own pass stay.
      this.d.channels.revoke(userGrant(userId), sessionChannel(sessionId));
    }
    return { session_id: sessionId, user_id: userId, staff: on };
  }

  async staff(sessionId: string) {
    if (!(await this.d.events.session(sessionId))) throw new AppError('not_found', 'no such session');
    return { staff: (await this.d.events.staffOf(sessionId)).map(staffView) };
  }

  /** The sessions a scanner may pick, with their event's name; see `scannableBy` in checkin-access.ts. */
  async scannerSessions(scanner: Scanner) {
    const rows = await this.d.events.scannableSessions(scannableBy(scanner), this.d.clock.now() - SCANNER_RECENT_MS, SCANNER_MAX_SESSIONS);
    return rows.map((r) => ({ ...sessionView(r), event_name: r.eventName }));
  }

  /** A scanner for an event (or one of its sessions); its token is shown once. */
  async provisionDevice(by: string, eventId: string, input: { name: string; session_id?: string | undefined }) {
    await this.requireEvent(eventId);
    if (input.session_id) await this.sessionsIn(eventId, [input.session_id]);
    const token = DEVICE_TOKEN_PREFIX + randomToken(this.d.random, 32);
    const row: NewDevice = { id: randomUuid(this.d.random), eventId, sessionId: input.session_id ?? null, name: input.name.trim(), tokenHash: sha256(token), createdBy: by, createdAt: this.d.clock.now(), revokedAt: null };
    await this.d.devices.insert(row);
    await this.audit(by, 'device_provision', `event:${eventId}`, { device_id: row.id, session_id: row.sessionId });
    return { ...deviceView(row), token };
  }

  async devices(eventId: string) {
    await this.requireEvent(eventId);
    return { devices: (await this.d.devices.listForEvent(eventId)).map(deviceView) };
  }

  async revokeDevice(by: string, id: string) {
    if (!(await this.d.devices.revoke(id, this.d.clock.now()))) throw new AppError('not_found', 'no such active device');
    await this.audit(by, 'device_revoke', `device:${id}`, {});
    this.d.channels.revoke(deviceGrant(id));
    return deviceView((await this.d.devices.byId(id))!);
  }

  private link(token: string) {
    return { link_token: token, link_url: `${this.d.publicUrl}/pass?link=${token}` };
  }

  private async requireEvent(id: string): Promise<CheckinEvent> {
    const ev = await this.d.events.event(id);
    if (!ev) throw new AppError('not_found', 'no such event');
    return ev;
  }

  private async sessionsIn(eventId: string, ids: string[]): Promise<string[]> {
    const own = new Set((await this.d.events.sessionsOf(eventId)).map((s) => s.id));
    const unique = [...new Set(ids)];
    const foreign = unique.filter((id) => !own.has(id));
    if (foreign.length > 0) throw new AppError('invalid_request', `not sessions of this event: ${foreign.join(', ')}`);
    return unique;
  }

  /** A registration changed what a session expects: move its version and tell its watchers. */
  private async touchSession(sessionId: string): Promise<void> {
    await this.d.events.bumpSession(sessionId);
    this.d.channels.publishSession(sessionId);
  }

  private audit(by: string, action: string, subject: string, detail: Record<string, unknown>) {
    return this.d.audit.record({ at: this.d.clock.now(), actorId: by, action, subject, outcome: 'ok', detail });
  }
}
