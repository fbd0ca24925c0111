import { Type } from '@fastify/type-provider-typebox';
import type { Static } from 'typebox';

/**
 * What an API call that creates or exposes a live resource hands out: the
 * channel to follow and a short-lived token for it (live-service.ts `grant`).
 * One schema for every response that carries one; pages and the SDK take its
 * type with `import type`, so no TypeBox reaches a browser bundle.
 */
export const LiveGrant = Type.Object(
  { channel: Type.String(), token: Type.String(), expires_at: Type.Integer({ description: 'when the token expires (ms since the epoch)' }) },
  { description: 'watch this channel for every change' },
);
export type LiveGrant = Static<typeof LiveGrant>;
