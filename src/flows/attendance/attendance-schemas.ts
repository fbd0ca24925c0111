import { Type } from '@fastify/type-provider-typebox';
import type { Static } from 'typebox';
import { MAX_OFFSET } from '../../http/schemas.js';
import { SEARCH_STATUSES } from './attendee-search.js';

export const SearchQuery = Type.Object({ q: Type.String({ minLength: 1, maxLength: 100, description: 'part of a name or email, any case' }) });
/** Attendees found by name or email, with their status in the session (for manual check-in). */
export const SearchAnswer = Type.Object({
  session_id: Type.String(),
  attendees: Type.Array(
    Type.Object({
      id: Type.String(),
      name: Type.String(),
      email: Type.Optional(Type.Union([Type.String(), Type.Null()], { description: 'admins only' })),
      note: Type.Optional(Type.String({ description: "the organiser's note for the door; absent when there is none" })),
      status: Type.Enum(SEARCH_STATUSES),
      checkin: Type.Union([Type.Object({ id: Type.String(), at: Type.Integer(), gate: Type.Union([Type.String(), Type.Null()]), by: Type.Union([Type.String(), Type.Null()]) }), Type.Null()]),
    }),
    { maxItems: 20 },
  ),
});
export type SearchAnswer = Static<typeof SearchAnswer>;

/** Who a session expects and has not come yet: searchable, a page at a time. */
export const NotArrivedQuery = Type.Object({
  q: Type.Optional(Type.String({ maxLength: 100, description: 'part of a name or email, any case; empty: everyone' })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 50 })),
  offset: Type.Optional(Type.Integer({ minimum: 0, maximum: MAX_OFFSET, default: 0 })),
});
export type NotArrivedQuery = Static<typeof NotArrivedQuery>;
export const NotArrivedCsvQuery = Type.Object({ q: Type.Optional(Type.String({ maxLength: 100, description: 'only those whose name or email contains it' })) });
export const NotArrivedAnswer = Type.Object({
  session_id: Type.String(),
  total: Type.Integer({ description: 'how many match, over every page' }),
  attendees: Type.Array(Type.Object({ id: Type.String(), name: Type.String(), email: Type.Optional(Type.Union([Type.String(), Type.Null()], { description: 'admins only' })) }), { maxItems: 500 }),
});
export type NotArrivedAnswer = Static<typeof NotArrivedAnswer>;
