import { Type } from 'typebox';
import { MAX_CHANNEL_LENGTH, MAX_TOKEN_LENGTH } from './protocol-limits.js';

/**
 * The client frames of the live protocol as TypeBox schemas: the one
 * definition of their shape. protocol.ts exports their `Static<>` types (by a
 * type-only import, so the SDK never loads TypeBox); the server compiles them
 * (frame-decoder.ts). Extra fields are allowed, for clients newer than the server.
 */
export const SubFrameSchema = Type.Object({
  op: Type.Literal('sub'),
  channel: Type.String({ minLength: 1, maxLength: MAX_CHANNEL_LENGTH }),
  token: Type.String({ minLength: 1, maxLength: MAX_TOKEN_LENGTH }),
  after: Type.Optional(Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER })),
});

export const UnsubFrameSchema = Type.Object({
  op: Type.Literal('unsub'),
  channel: Type.String({ minLength: 1, maxLength: MAX_CHANNEL_LENGTH }),
});
