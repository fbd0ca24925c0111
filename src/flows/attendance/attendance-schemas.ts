import { Type } from '@fastify/type-provider-typebox';
import type { Static } from 'typebox';
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
      status: Type.Enum(SEARCH_STATUSES),
      checkin: Type.Union([Type.Object({ id: Type.String(), at: Type.Integer(), gate: Type.Union([Type.String(), Type.Null()]), by: Type.Union([Type.String(), Type.Null()]) }), Type.Null()]),
    }),
    { maxItems: 20 },
  ),
});
export type SearchAnswer = Static<typeof SearchAnswer>;
