import { Type } from '@fastify/type-provider-typebox';
import type { Static } from 'typebox';
import { REFUSAL_REASONS } from '../../domain/checkin.js';
import { Id, Ms, Nullable } from '../../http/schemas.js';
import { LiveGrant } from '../../live/live-grant-schema.js';

/** Request and response shapes of scanning and passes; the main views are named for the OpenAPI document. */

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
    attendee: Nullable(
      Type.Object({
        id: Type.String(),
        name: Type.String(),
        note: Type.Optional(Nullable(Type.String({ description: "the organiser's note for the door (e.g. wheelchair, VIP, pay at the desk)" }))),
        sessions: Type.Optional(Type.Array(Type.Object({ id: Type.String(), name: Type.String() }), { description: "the sessions of this event they are registered for" })),
      }),
    ),
    checkin: Type.Union([CheckinRef, Type.Null()], { description: 'the check-in made, or (already_checked_in) the one in the way: when and where' }),
    opens_at: Type.Optional(Type.Integer({ description: 'not_yet_open: when check-in for the session opens (ms since the epoch)' })),
  },
  { $id: 'ScanAnswer' },
);
/** The answer to a scan, ok or refused; also what a retried nonce gets again. */
export type ScanAnswer = Static<typeof ScanAnswerSchema>;

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

export const MyPassesView = Type.Object({
  passes: Type.Array(
    Type.Object({
      event: Type.Object({ id: Type.String(), name: Type.String(), starts_at: Type.Integer(), ends_at: Type.Integer() }),
      attendee: Type.Object({ id: Type.String(), name: Type.String(), revoked: Type.Boolean() }),
      url: Type.String({ description: 'the pass page for this event, for the signed-in person' }),
    }),
    { description: 'one per event, the latest event first; an attendee row counts when it is tied to the account or, tied to none, has its e-mail' },
  ),
});
export type MyPassesView = Static<typeof MyPassesView>;

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
