import { Type } from '@fastify/type-provider-typebox';
import type { Static } from 'typebox';
import { Id, Ms, Nullable, Paging } from '../../http/schemas.js';

/** Request and response shapes of the organiser's API (events, sessions, attendees, staff, devices) and the scanner's session list. */

export const SessionAttendeeParams = Type.Object({ id: Id, attendee_id: Id });
export const SessionUserParams = Type.Object({ id: Id, user_id: Id });

export const EventBody = Type.Object(
  { name: Type.String({ minLength: 1, maxLength: 200 }), starts_at: Ms('start (ms)'), ends_at: Ms('end (ms)') },
  { additionalProperties: false },
);

export type EventBody = Static<typeof EventBody>;

export const SessionBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 200 }),
    place: Type.Optional(Type.String({ maxLength: 200 })),
    starts_at: Ms('start (ms)'),
    ends_at: Ms('end (ms)'),
    opens_at: Type.Optional(Ms('check-in opens (ms); default 30 min before the start')),
    closes_at: Type.Optional(Ms('check-in closes (ms); default the end')),
    all_attendees: Type.Optional(Type.Boolean({ description: 'every attendee of the event may come, no per-session registration' })),
  },
  { additionalProperties: false },
);

export type SessionBody = Static<typeof SessionBody>;

/** A session edit: any of what creating one takes, and `closed`; a field left out keeps its value (see domain/event-edit.ts). */
export const SessionPatch = Type.Object(
  {
    closed: Type.Optional(Type.Boolean({ description: 'close (or reopen) check-in by hand' })),
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    place: Type.Optional(Nullable(Type.String({ maxLength: 200, description: 'null or blank clears it' }))),
    starts_at: Type.Optional(Ms('start (ms)')),
    ends_at: Type.Optional(Ms('end (ms)')),
    opens_at: Type.Optional(Ms('check-in opens (ms)')),
    closes_at: Type.Optional(Ms('check-in closes (ms)')),
    all_attendees: Type.Optional(Type.Boolean({ description: 'every attendee of the event may come, no per-session registration' })),
  },
  { additionalProperties: false, minProperties: 1 },
);
export type SessionPatch = Static<typeof SessionPatch>;

/** An event edit: any of what creating one takes; a field left out keeps its value. */
export const EventPatch = Type.Object(
  { name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })), starts_at: Type.Optional(Ms('start (ms)')), ends_at: Type.Optional(Ms('end (ms)')) },
  { additionalProperties: false, minProperties: 1 },
);
export type EventPatch = Static<typeof EventPatch>;

/** Archive (file away) or bring back. */
export const ArchiveBody = Type.Object({ archived: Type.Boolean({ description: 'true files it away; false brings it back' }) }, { additionalProperties: false });
export type ArchiveBody = Static<typeof ArchiveBody>;

/** The events list: the current ones by default, the archived ones with `archived=true`. */
export const EventListQuery = Type.Object({ ...Paging.properties, archived: Type.Optional(Type.Boolean({ default: false, description: 'list the archived events instead' })) });

export const Deleted = Type.Object({ id: Type.String(), deleted: Type.Literal(true) });

export const AttendeeBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 200 }),
    email: Type.Optional(Type.String({ maxLength: 254 })),
    user_id: Type.Optional(Id),
    session_ids: Type.Optional(Type.Array(Id, { maxItems: 200 })),
    language: Type.Optional(Type.Union([Type.Literal('en'), Type.Literal('zh-CN')], { description: 'language of their pass e-mail (default en)' })),
    note: Type.Optional(Type.String({ maxLength: 500, description: "the organiser's note for the door staff, shown when they scan or find this attendee" })),
  },
  { additionalProperties: false },
);
/** Changes to an attendee: for now the organiser's note (empty or null clears it). */
export const AttendeePatch = Type.Object({ note: Type.Union([Type.String({ maxLength: 500 }), Type.Null()]) }, { additionalProperties: false });

export const AttendeeIdBody = Type.Object({ attendee_id: Id }, { additionalProperties: false });
export const UserIdBody = Type.Object({ user_id: Id }, { additionalProperties: false });
export const DeviceBody = Type.Object({ name: Type.String({ minLength: 1, maxLength: 120 }), session_id: Type.Optional(Id) }, { additionalProperties: false });

export const EventView = Type.Object(
  {
    id: Type.String(),
    name: Type.String(),
    starts_at: Type.Integer(),
    ends_at: Type.Integer(),
    public_key: Type.String(),
    created_at: Type.Integer(),
    archived: Type.Boolean({ description: 'filed away: left out of the default list and the scanners\' picker' }),
  },
  { $id: 'CheckinEvent' },
);
export type EventView = Static<typeof EventView>;
export const SessionViewSchema = Type.Object(
  {
    id: Type.String(),
    event_id: Type.String(),
    name: Type.String(),
    place: Nullable(Type.String()),
    starts_at: Type.Integer(),
    ends_at: Type.Integer(),
    opens_at: Type.Integer(),
    closes_at: Type.Integer(),
    closed: Type.Boolean(),
    all_attendees: Type.Boolean(),
    archived: Type.Boolean({ description: 'filed away: left out of the scanners\' picker' }),
  },
  { $id: 'CheckinSession' },
);
export type SessionView = Static<typeof SessionViewSchema>;
export const DeviceView = Type.Object(
  { id: Type.String(), event_id: Type.String(), session_id: Nullable(Type.String()), name: Type.String(), created_at: Type.Integer(), revoked: Type.Boolean(), token: Type.Optional(Type.String({ description: 'shown once, at provisioning' })) },
  { $id: 'ScannerDevice' },
);
export type DeviceView = Static<typeof DeviceView>;

export const AttendeeView = Type.Object(
  { id: Type.String(), event_id: Type.String(), user_id: Nullable(Type.String()), name: Type.String(), email: Nullable(Type.String()), revoked: Type.Boolean(), created_at: Type.Integer() },
  { $id: 'Attendee' },
);
export type AttendeeView = Static<typeof AttendeeView>;
export const PassLink = Type.Object({ link_token: Type.String({ description: 'shown once: the personal pass link, for people without an account' }), link_url: Type.String() });
export type PassLink = Static<typeof PassLink>;
/** The answer to adding an attendee: the attendee, their pass link (shown once) and sessions. */
export type CreatedAttendee = AttendeeView & PassLink & { session_ids: string[] };
export const Registration = Type.Object({ session_id: Type.String(), attendee_id: Type.String(), registered: Type.Boolean() });


export const StaffList = Type.Object({ staff: Type.Array(Type.Object({ id: Type.String(), name: Type.String(), email: Type.String(), created_at: Type.Integer() })) });
export type StaffMember = Static<typeof StaffList>['staff'][number];
export const StaffChange = Type.Object({ session_id: Type.String(), user_id: Type.String(), staff: Type.Boolean() });

/** A session the caller may scan at, with its event's name (the scanner page's picker). */
export const ScannerSession = Type.Object({
  id: Type.String(),
  event_id: Type.String(),
  event_name: Type.String(),
  name: Type.String(),
  place: Type.Union([Type.String(), Type.Null()]),
  starts_at: Type.Integer(),
  ends_at: Type.Integer(),
  opens_at: Type.Integer(),
  closes_at: Type.Integer(),
  closed: Type.Boolean(),
  all_attendees: Type.Boolean({ description: 'every attendee of the event may check in; false: only those registered for this session' }),
});
export type ScannerSession = Static<typeof ScannerSession>;
export const ScannerSessions = Type.Object({
  scanner: Type.Object({ kind: Type.Union([Type.Literal('user'), Type.Literal('device')]), name: Type.String() }),
  sessions: Type.Array(ScannerSession),
});
export type ScannerSessions = Static<typeof ScannerSessions>;
