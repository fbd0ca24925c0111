import { Type } from '@fastify/type-provider-typebox';
import type { Static } from 'typebox';
import { Id, Nullable } from '../../http/schemas.js';
import { LiveGrant } from '../../live/live-grant-schema.js';

/**
 * Request, response and frame shapes of the QR queue. Pages import the types
 * only (`import type`), so no TypeBox reaches a browser bundle.
 */

const Prefix = Type.String({ pattern: '^[A-Z]{1,3}$', description: '1-3 upper-case letters, unique per queue' });
const Ask = Type.Union([Type.Literal('none'), Type.Literal('name'), Type.Literal('phone')], { description: 'what joining asks for' });

export const ServiceBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 200 }),
    prefix: Prefix,
    ask: Type.Optional(Ask),
    max_waiting: Type.Optional(Type.Integer({ minimum: 1, maximum: 100_000, description: 'cap on waiting tickets (default 500)' })),
    near_ahead: Type.Optional(Type.Integer({ minimum: 0, maximum: 1000, description: '"near your turn" at this many ahead (default 3)' })),
    no_show_seconds: Type.Optional(Type.Integer({ minimum: 10, maximum: 86_400, description: 'how long a called visitor has (default 180)' })),
    more_time_places: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, description: '"I need more time" moves back this many places (default 3)' })),
  },
  { additionalProperties: false },
);
export type ServiceBody = Static<typeof ServiceBody>;

export const CounterBody = Type.Object(
  { name: Type.String({ minLength: 1, maxLength: 200 }), services: Type.Array(Prefix, { maxItems: 50, description: 'prefixes of the services it serves' }) },
  { additionalProperties: false },
);

export const QueueBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 200 }),
    timezone: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: 'IANA time zone; numbers restart at local midnight (default UTC)' })),
    services: Type.Array(ServiceBody, { minItems: 1, maxItems: 26 }),
    counters: Type.Array(CounterBody, { maxItems: 200 }),
  },
  { additionalProperties: false },
);
export type QueueBody = Static<typeof QueueBody>;

export const ServiceView = Type.Object({
  id: Type.String(),
  name: Type.String(),
  prefix: Type.String(),
  ask: Ask,
  max_waiting: Type.Integer(),
  near_ahead: Type.Integer(),
  no_show_seconds: Type.Integer(),
  more_time_places: Type.Integer(),
  open: Type.Boolean(),
});
export type ServiceView = Static<typeof ServiceView>;
export const CounterView = Type.Object({ id: Type.String(), name: Type.String(), service_ids: Type.Array(Type.String()), open: Type.Boolean({ description: 'staffed now: the wait estimate counts open counters only' }) });
export type CounterView = Static<typeof CounterView>;
export const QueueView = Type.Object(
  {
    id: Type.String(),
    name: Type.String(),
    timezone: Type.String(),
    services: Type.Array(ServiceView),
    counters: Type.Array(CounterView),
    poster_enabled: Type.Boolean({ description: "whether the place's static poster code is accepted" }),
  },
  { $id: 'Queue' },
);
export type QueueView = Static<typeof QueueView>;

export const QueueParams = Type.Object({ id: Id });
export const QueueUserParams = Type.Object({ id: Id, user_id: Id });
export const QueueServiceParams = Type.Object({ id: Id, service_id: Id });
export const CounterPatch = Type.Object({ open: Type.Boolean({ description: 'open (staffed) or close the counter' }) }, { additionalProperties: false });
export const ServicePatch = Type.Object({ open: Type.Boolean({ description: 'open or close the service for new tickets' }) }, { additionalProperties: false });
export const StaffChange = Type.Object({ queue_id: Type.String(), user_id: Type.String(), staff: Type.Boolean() });
export const QueueStaffList = Type.Object({ staff: Type.Array(Type.Object({ id: Type.String(), name: Type.String(), email: Type.String(), created_at: Type.Integer() })) });
export type QueueStaffList = Static<typeof QueueStaffList>;

export const EntranceCode = Type.Object({
  code: Type.String(),
  url: Type.String({ description: 'what the entrance QR encodes' }),
  expires_at: Type.Integer({ description: 'the code is refused from then on (ms)' }),
  rotates_at: Type.Integer({ description: 'when the next code replaces it: fetch again then (ms)' }),
});
export type EntranceCode = Static<typeof EntranceCode>;

export const QueueDeviceParams = Type.Object({ id: Id, device_id: Id });
export const QueueDeviceBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 120 }),
    kind: Type.Union([Type.Literal('board'), Type.Literal('kiosk')], { description: 'a board shows the calls and the entrance code; a kiosk may also issue tickets by hand' }),
  },
  { additionalProperties: false },
);
export type QueueDeviceBody = Static<typeof QueueDeviceBody>;
export const QueueDeviceView = Type.Object(
  {
    id: Type.String(),
    queue_id: Type.String(),
    name: Type.String(),
    kind: Type.Union([Type.Literal('board'), Type.Literal('kiosk')]),
    created_at: Type.Integer(),
    revoked: Type.Boolean(),
    token: Type.Optional(Type.String({ description: 'shown once, at provisioning; the device sends it as `Authorization: Bearer sqd_...`' })),
    url: Type.Optional(Type.String({ description: 'shown once: what the device opens (the token rides in the fragment, never sent to a server)' })),
  },
  { $id: 'QueueDevice' },
);
export type QueueDeviceView = Static<typeof QueueDeviceView>;
export const QueuePatch = Type.Object({ poster_enabled: Type.Boolean({ description: "accept the place's static poster code (off voids every printed copy)" }) }, { additionalProperties: false });
export const PosterCode = Type.Object({ code: Type.String(), url: Type.String({ description: 'what the printed poster QR encodes; it never changes while posters stay enabled' }) });
export type PosterCode = Static<typeof PosterCode>;

export const JoinQuery = Type.Object({ entrance_code: Type.String({ minLength: 1, maxLength: 64 }) });
export const JoinInfo = Type.Object({
  queue: Type.Object({ id: Type.String(), name: Type.String() }),
  services: Type.Array(
    Type.Object({ id: Type.String(), name: Type.String(), prefix: Type.String(), ask: Ask, open: Type.Boolean(), waiting: Type.Integer(), eta_seconds: Type.Integer() }),
  ),
});
export type JoinInfo = Static<typeof JoinInfo>;

export const TicketBody = Type.Object(
  {
    service_id: Id,
    entrance_code: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: "from the entrance QR; staff of the place may leave it out (a ticket issued by hand)" })),
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    phone: Type.Optional(Type.String({ minLength: 1, maxLength: 40 })),
    priority: Type.Optional(
      Type.Boolean({ description: 'staff issuing by hand only: the ticket goes before every waiting ticket without priority, after those with it' }),
    ),
  },
  { additionalProperties: false },
);
export type TicketBody = Static<typeof TicketBody>;
export const TokenQuery = Type.Object({ token: Type.String({ minLength: 1, maxLength: 100, description: "the ticket's token, from joining" }) });
export const TransferBody = Type.Object(
  { service_id: Id, to: Type.Union([Type.Literal('front'), Type.Literal('back')], { description: 'front or back of the line' }) },
  { additionalProperties: false },
);
export type TransferBody = Static<typeof TransferBody>;

const TicketStatus = Type.Union([Type.Literal('waiting'), Type.Literal('called'), Type.Literal('done'), Type.Literal('no_show'), Type.Literal('cancelled')]);
const Named = Type.Object({ id: Type.String(), name: Type.String() });

/** A ticket as the `ticket:` channel sends it. */
export const TicketState = Type.Object({
  id: Type.String(),
  queue_id: Type.String(),
  service: Type.Object({ id: Type.String(), name: Type.String(), prefix: Type.String() }),
  number: Type.String(),
  status: TicketStatus,
  ahead: Type.Integer({ description: 'waiting tickets of the service before this one; 0 when not waiting' }),
  eta_seconds: Type.Integer({ description: 'expected wait until called; 0 when not waiting' }),
  eta_range: Nullable(Type.Array(Type.Integer(), { minItems: 2, maxItems: 2, description: '[low, high] seconds, whole minutes' })),
  near_ahead: Type.Integer({ description: '"near your turn" from this many ahead' }),
  counter: Nullable(Named),
  called_at: Nullable(Type.Integer()),
  created_at: Type.Integer(),
  recalls: Type.Integer(),
  more_time_used: Type.Boolean(),
  priority: Type.Boolean({ description: 'issued with priority by staff: served before tickets without it' }),
  order: Type.Integer({ description: "the ticket's place key in its line (see the line: channel)" }),
  line_version: Type.Integer({ description: 'the line: version `ahead` was counted at' }),
});
export type TicketState = Static<typeof TicketState>;

export const TicketView = Type.Intersect(
  [TicketState, Type.Object({ live: LiveGrant, line: LiveGrant, token: Type.Optional(Type.String({ description: 'shown once, on joining: the ticket link carries it' })) })],
  { $id: 'QueueTicket' },
);
export type TicketView = Static<typeof TicketView>;
export const TicketAnswer = Type.Object({ ticket: Type.Ref('QueueTicket') });

/** The `line:<service>` channel's data: the latest changes of the waiting set, `[version, order, delta]`, oldest first. */
export const LineFrame = Type.Object({
  waiting: Type.Integer(),
  per_ticket_seconds: Type.Integer(),
  changes: Type.Array(Type.Tuple([Type.Integer(), Type.Integer(), Type.Integer()])),
});
export type LineFrame = Static<typeof LineFrame>;

const BoardCall = Type.Object({ ticket_id: Type.String(), number: Type.String(), counter: Nullable(Named), at: Type.Integer(), recalls: Type.Integer() });
/** The `board:<queue>` channel's data. */
export const BoardFrame = Type.Object({
  now: Nullable(BoardCall),
  recent: Type.Array(BoardCall),
  services: Type.Array(Type.Object({ id: Type.String(), name: Type.String(), prefix: Type.String(), open: Type.Boolean(), waiting: Type.Integer(), longest_wait_seconds: Type.Integer() })),
});
export type BoardFrame = Static<typeof BoardFrame>;
export const BoardView = Type.Intersect([BoardFrame, Type.Object({ queue: Named, version: Type.Integer(), live: LiveGrant })]);
export type BoardView = Static<typeof BoardView>;
