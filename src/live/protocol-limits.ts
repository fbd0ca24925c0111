/**
 * Sizes the live protocol bounds, shared by its types (protocol.ts, loaded by
 * the SDK) and its schemas (protocol-schemas.ts, loaded by the server only).
 */

/** The longest channel name a frame may carry (real names are at most 161 characters: `kind:id`). */
export const MAX_CHANNEL_LENGTH = 200;
/** The longest channel token (minted or accepted); tokens travel in URLs (SSE, long-poll) and WebSocket frames. */
export const MAX_TOKEN_LENGTH = 128;
