import { Type } from '@fastify/type-provider-typebox';
import type { Static } from 'typebox';
import { REFUSAL_REASONS } from '../../domain/checkin.js';
import { SEARCH_STATUSES } from './attendee-search.js';
import { MAX_OFFSET, Nullable } from '../../http/schemas.js';
import { LiveGrant } from '../../live/live-grant-schema.js';

/** Request and response shapes of the check-in API; the main views are named for the OpenAPI document. */

const Ms = (description: string) => Type.Integer({ minimum: 0, maximum: 8_640_000_000_000_000, description });
const Id = Type.String({ minLength: 1, maxLength: 64 });

export const IdParams = Type.Object({ id: Id });
export const SessionAttendeeParams = Type.Object({ id: Id, attendee_id: Id });
export const SessionUserParams = Type.Object({ id: Id, user_id: Id });
export const Paging = Type.Object({
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 10_000, default: 1000 })),
  offset: Type.Optional(Type.Integer({ minimum: 0, maximum: MAX_OFFSET, default: 0 })),
});

const Direction = Type.Union([Type.Literal('entry'), Type.Literal('exit')], { default: 'entry' });
const Nonce = Type.String({ minLength: 8, maxLength: 128, pattern: '^[A-Za-z0-9_.:-]+$', description: 'unique per scan and scanner; a retry with the same nonce gets the same answer' });
const scanCommon = {
  session_id: Id,
  nonce: Nonce,
  direction: Type.Optional(Direction),
  scanned_at: Type.Optional(Ms('when it was scanned (ms since the epoch); taken only with `offline: true`, otherwise the server clock is the scan time')),
  offline: Type.Optional(
    Type.Boolean({ description: 'true when an offline scanner uploads a scan it decided earlier: its `scanned_at` (at most SCANPASS_CHECKIN_MAX_SCAN_AGE_SECONDS old) is then the scan time' }),
  ),
  gate: Type.Optional(Type.String({ maxLength: 80, description: 'where (a door, a desk); default the device name' })),
};

export const ScanBody = Type.Object(
  { code: Type.String({ maxLength: 1024, description: 'the scanned text, exactly as read' }), ...scanCommon },
  { additionalProperties: false },
);
export const ManualBody = Type.Object({ attendee_id: Id, ...scanCommon }, { additionalProperties: false });

const CheckinRef = Type.Object({ id: Type.String(), session_id: Type.String(), at: Type.Integer(), gate: Nullable(Type.String()), exited_at: Nullable(Type.Integer()) });

export const ScanAnswerSchema = Type.Object(
  {
    result: Type.Union([Type.Literal('ok'), Type.Literal('rejected')]),
    reason: Nullable(Type.Enum(REFUSAL_REASONS, { description: 'one stable reason, set when rejected' })),
    message: Type.String(),
    action: Nullable(Type.Union([Type.Literal('check_in'), Type.Literal('re_enter'), Type.Literal('check_out')])),
    direction: Type.Union([Type.Literal('entry'), Type.Literal('exit')]),
    session_id: Type.String(),
    nonce: Type.String(),
    scanned_at: Type.Integer(),
    attendee: Nullable(Type.Object({ id: Type.String(), name: Type.String() })),
    checkin: Type.Union([CheckinRef, Type.Null()], { description: 'the check-in made, or (already_checked_in) the one in the way: when and where' }),
  },
  { $id: 'ScanAnswer' },
);
/** The answer to a scan, ok or refused; also what a retried nonce gets again. */
export type ScanAnswer = Static<typeof ScanAnswerSchema>;

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

export const SessionPatch = Type.Object({ closed: Type.Boolean({ description: 'close (or reopen) check-in by hand' }) }, { additionalProperties: false });

export const AttendeeBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 200 }),
    email: Type.Optional(Type.String({ maxLength: 254 })),
    user_id: Type.Optional(Id),
    session_ids: Type.Optional(Type.Array(Id, { maxItems: 200 })),
  },
  { additionalProperties: false },
);

export const AttendeeIdBody = Type.Object({ attendee_id: Id }, { additionalProperties: false });
export const UserIdBody = Type.Object({ user_id: Id }, { additionalProperties: false });
export const DeviceBody = Type.Object({ name: Type.String({ minLength: 1, maxLength: 120 }), session_id: Type.Optional(Id) }, { additionalProperties: false });

export const EventView = Type.Object(
  { id: Type.String(), name: Type.String(), starts_at: Type.Integer(), ends_at: Type.Integer(), public_key: Type.String(), created_at: Type.Integer() },
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
  },
  { $id: 'CheckinSession' },
);
export type SessionView = Static<typeof SessionViewSchema>;
export const DeviceView = Type.Object(
  { id: Type.String(), event_id: Type.String(), session_id: Nullable(Type.String()), name: Type.String(), created_at: Type.Integer(), revoked: Type.Boolean(), token: Type.Optional(Type.String({ description: 'shown once, at provisioning' })) },
  { $id: 'ScannerDevice' },
);
export type DeviceView = Static<typeof DeviceView>;

const PassCheckin = Type.Object({ id: Type.String(), session: Type.Object({ id: Type.String(), name: Type.String() }), at: Type.Integer(), gate: Nullable(Type.String()), exited_at: Nullable(Type.Integer()) });
const LastScan = Type.Object({
  result: Type.String(),
  reason: Nullable(Type.String()),
  session: Type.Object({ id: Type.String(), name: Type.String() }),
  at: Type.Integer(),
  gate: Nullable(Type.String()),
  direction: Type.String(),
});

export const PassView = Type.Object(
  {
    attendee: Type.Object({ id: Type.String(), name: Type.String(), event_id: Type.String(), revoked: Type.Boolean() }),
    version: Type.Integer(),
    event: Type.Object({ id: Type.String(), name: Type.String(), starts_at: Type.Integer(), ends_at: Type.Integer(), public_key: Type.String() }),
    sessions: Type.Array(Type.Object({ id: Type.String(), name: Type.String(), place: Nullable(Type.String()), starts_at: Type.Integer(), ends_at: Type.Integer() })),
    server_time: Type.Integer({ description: 'server clock (ms): show the code of the window this falls in, corrected for the phone clock' }),
    window_seconds: Type.Integer(),
    codes: Type.Array(
      Type.Object({ window: Type.Integer(), shown_from: Type.Integer(), shown_until: Type.Integer(), accepted_until: Type.Integer(), code: Type.String() }),
      { description: 'the next windows, in order; empty when the pass is revoked' },
    ),
    live: LiveGrant,
    last_scan: Nullable(LastScan),
    checkins: Type.Array(PassCheckin),
  },
  { $id: 'Pass' },
);
export type PassView = Static<typeof PassView>;

export const CountsView = Type.Object(
  {
    version: Type.Integer(),
    session: Type.Object({ id: Type.String(), event_id: Type.String(), name: Type.String(), place: Nullable(Type.String()), starts_at: Type.Integer(), ends_at: Type.Integer(), closed: Type.Boolean() }),
    counts: Type.Object({ expected: Type.Integer(), checked_in: Type.Integer(), not_yet: Type.Integer(), inside: Type.Integer() }),
    latest: Type.Array(
      Type.Object({
        id: Type.Integer(),
        at: Type.Integer({ description: 'when it was scanned (the scanner\'s time)' }),
        recorded_at: Type.Integer({ description: 'when the server recorded it: later than `at` for a scan an offline scanner uploaded' }),
        result: Type.Union([Type.Literal('ok'), Type.Literal('rejected')]),
        reason: Nullable(Type.String()),
        direction: Type.Union([Type.Literal('entry'), Type.Literal('exit')]),
        method: Type.Union([Type.Literal('code'), Type.Literal('manual')]),
        gate: Nullable(Type.String()),
        by: Type.String({ description: 'who scanned: a staff name or a device name' }),
        attendee: Nullable(Type.Object({ id: Type.String(), name: Type.String() })),
        checkin_id: Nullable(Type.String({ description: 'the check-in this scan made (or, refused as already checked in, the one in the way)' })),
        checkin_live: Type.Boolean({ description: 'that check-in still stands (not undone)' }),
        earlier: Nullable(
          Type.Object({ at: Type.Integer(), gate: Nullable(Type.String()) }, { description: 'refused as already checked in: when and at which gate the check-in in the way was made' }),
        ),
      }),
    ),
    live: LiveGrant,
  },
  { $id: 'SessionCounts' },
);
export type CountsView = Static<typeof CountsView>;

export const SearchQuery = Type.Object({ q: Type.String({ minLength: 1, maxLength: 100, description: 'part of a name or email, any case' }) });
/** Attendees found by name or email, with their status in the session (for manual check-in). */
export const SearchAnswer = Type.Object({
  session_id: Type.String(),
  attendees: Type.Array(
    Type.Object({
      id: Type.String(),
      name: Type.String(),
      email: Type.Optional(Type.Union([Type.String(), Type.Null()], { description: 'admins only' })),
      status: Type.Enum(SEARCH_STATUSES),
      checkin: Type.Union([Type.Object({ id: Type.String(), at: Type.Integer(), gate: Type.Union([Type.String(), Type.Null()]), by: Type.Union([Type.String(), Type.Null()]) }), Type.Null()]),
    }),
    { maxItems: 20 },
  ),
});
export type SearchAnswer = Static<typeof SearchAnswer>;

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

/** An event's attendees as offline scanners load them (emails for admins only). */
export const OfflineAttendees = Type.Object({
  attendees: Type.Array(
    Type.Object({
      id: Type.String(),
      name: Type.String(),
      revoked: Type.Boolean(),
      sessions: Type.Array(Type.String()),
      email: Type.Optional(Nullable(Type.String())),
      user_id: Type.Optional(Nullable(Type.String())),
    }),
  ),
});
export type OfflineAttendee = Static<typeof OfflineAttendees>['attendees'][number];

export const StaffList = Type.Object({ staff: Type.Array(Type.Object({ id: Type.String(), name: Type.String(), email: Type.String(), created_at: Type.Integer() })) });
export type StaffMember = Static<typeof StaffList>['staff'][number];
export const StaffChange = Type.Object({ session_id: Type.String(), user_id: Type.String(), staff: Type.Boolean() });
