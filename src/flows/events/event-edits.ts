import type { Clock } from '../../domain/clock.js';
import { editEvent, editSession, type EventChanges, type SessionChanges } from '../../domain/event-edit.js';
import { AppError } from '../../domain/errors.js';
import type { CheckinEvent, CheckinSession } from '../../domain/event.js';
import { deviceGrant } from '../../domain/live-grant.js';
import type { AuditLog } from '../../store/audit-log.js';
import type { EventsRepo } from '../../store/events.js';
import type { ScannerDevicesRepo } from '../../store/scanner-devices.js';
import type { UnitsOfWork } from '../../store/units-of-work.js';
import type { CheckinLive } from '../checkin/checkin-live.js';
import type { EventPatch, SessionPatch } from './event-schemas.js';
import { eventView, sessionView } from './event-views.js';

export interface EventEditsDeps {
  events: EventsRepo;
  devices: ScannerDevicesRepo;
  units: UnitsOfWork;
  audit: AuditLog;
  channels: CheckinLive;
  clock: Clock;
}

/**
 * An edit reads the record, applies the change (domain/event-edit.ts) and
 * writes it if nobody wrote in between; else it reads again. A session's
 * version also moves with every check-in count published, so on a busy door
 * an edit may need a few turns.
 */
const MAX_TURNS = 8;

/**
 * The organiser changing what exists: edit, delete and archive events and
 * sessions. Deleting is for what nobody checked in to (a mistake, a test);
 * anything with check-ins is archived instead: filed away, hidden from the
 * default list and the scanners' picker, its attendance kept.
 */
export class EventEdits {
  constructor(private readonly d: EventEditsDeps) {}

  editEvent(by: string, id: string, patch: EventPatch) {
    const changes: EventChanges = { name: patch.name, startsAt: patch.starts_at, endsAt: patch.ends_at };
    return this.changeEvent(by, id, 'event_edit', (cur) => editEvent(cur, changes), { fields: Object.keys(patch) });
  }

  archiveEvent(by: string, id: string, archived: boolean) {
    const now = this.d.clock.now();
    return this.changeEvent(by, id, archived ? 'event_archive' : 'event_unarchive', (cur) => ({ ...cur, archivedAt: archived ? (cur.archivedAt ?? now) : null }), {});
  }

  editSession(by: string, id: string, patch: SessionPatch) {
    const changes: SessionChanges = {
      name: patch.name,
      place: patch.place,
      startsAt: patch.starts_at,
      endsAt: patch.ends_at,
      opensAt: patch.opens_at,
      closesAt: patch.closes_at,
      allAttendees: patch.all_attendees,
      closed: patch.closed,
    };
    const now = this.d.clock.now();
    return this.changeSession(by, id, 'session_edit', (cur) => editSession(cur, changes, now), { fields: Object.keys(patch) });
  }

  archiveSession(by: string, id: string, archived: boolean) {
    const now = this.d.clock.now();
    return this.changeSession(by, id, archived ? 'session_archive' : 'session_unarchive', (cur) => ({ ...cur, archivedAt: archived ? (cur.archivedAt ?? now) : null }), {});
  }

  /** Deletes the event with its sessions, attendees and scanners; refused (`event_has_checkins`) once anyone was checked in at it. */
  async deleteEvent(by: string, id: string) {
    const devices = await this.d.devices.listForEvent(id);
    const ev = await this.d.units.execute(async ({ db }) => {
      const found = await this.d.events.event(id, db);
      const outcome = await this.d.events.deleteEvent(id, db);
      if (outcome === 'not_found' || !found) throw new AppError('not_found', 'no such event');
      if (outcome === 'has_checkins') throw new AppError('event_has_checkins', 'people were checked in at this event: archive it instead');
      await this.d.audit.record({ at: this.d.clock.now(), actorId: by, action: 'event_delete', subject: `event:${id}`, outcome: 'ok', detail: { name: found.name } }, db);
      return found;
    });
    // Scanners provisioned for it stop at once (their rows are gone with the event).
    for (const dev of devices) this.d.channels.revoke(deviceGrant(dev.id));
    return { id: ev.id, deleted: true as const };
  }

  /** Deletes the session; refused (`session_has_checkins`) once anyone was checked in at it. */
  async deleteSession(by: string, id: string) {
    await this.d.units.execute(async ({ db }) => {
      const found = await this.d.events.session(id, db);
      const outcome = await this.d.events.deleteSession(id, db);
      if (outcome === 'not_found' || !found) throw new AppError('not_found', 'no such session');
      if (outcome === 'has_checkins') throw new AppError('session_has_checkins', 'people were checked in at this session: archive it instead');
      await this.d.audit.record({ at: this.d.clock.now(), actorId: by, action: 'session_delete', subject: `event:${found.eventId}`, outcome: 'ok', detail: { session_id: id, name: found.name } }, db);
    });
    return { id, deleted: true as const };
  }

  private async changeEvent(by: string, id: string, action: string, change: (cur: CheckinEvent) => CheckinEvent, detail: Record<string, unknown>) {
    for (let turn = 0; turn < MAX_TURNS; turn++) {
      const cur = await this.d.events.event(id);
      if (!cur) throw new AppError('not_found', 'no such event');
      const next = change(cur);
      if (await this.d.events.updateEvent(next)) {
        await this.audit(by, action, `event:${id}`, detail);
        return eventView(next);
      }
    }
    throw new AppError('conflict', 'the event kept changing while this edit was made; try again');
  }

  private async changeSession(by: string, id: string, action: string, change: (cur: CheckinSession) => CheckinSession, detail: Record<string, unknown>) {
    for (let turn = 0; turn < MAX_TURNS; turn++) {
      const cur = await this.d.events.session(id);
      if (!cur) throw new AppError('not_found', 'no such session');
      const next = change(cur);
      const version = await this.d.events.updateSession(next);
      if (version !== null) {
        await this.audit(by, action, `event:${cur.eventId}`, { session_id: id, ...detail });
        // Dashboards and scanners watching it see the new name, times and state.
        this.d.channels.publishSession(id);
        return sessionView({ ...next, version });
      }
    }
    throw new AppError('conflict', 'the session kept changing while this edit was made; try again');
  }

  private audit(by: string, action: string, subject: string, detail: Record<string, unknown>) {
    return this.d.audit.record({ at: this.d.clock.now(), actorId: by, action, subject, outcome: 'ok', detail });
  }
}
