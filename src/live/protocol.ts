import type { Static } from 'typebox';
import type { SubFrameSchema, UnsubFrameSchema } from './protocol-schemas.js';

/**
 * The live wire protocol, for both ends: the server (`src/live/`) and the SDK
 * (`client/`). It has no runtime imports, so the SDK bundle takes only what it
 * uses. Client frames are TypeBox schemas (protocol-schemas.ts, compiled by
 * the server in frame-decoder.ts) and their `Static<>` types here; server
 * frames are plain JSON the SDK reads with the small parsers below, which need
 * no code generation, so they work in pages under a strict CSP.
 */

/** The WebSocket endpoint, relative to the server's base URL. */
export const LIVE_WS_PATH = '/v1/live';

export { MAX_CHANNEL_LENGTH, MAX_TOKEN_LENGTH } from './protocol-limits.js';

// ------------------------------------------------------------- client -> server

/**
 * `{"op":"sub","channel","token","after"?}`: follow `channel`; the server sends
 * its current state if newer than `after` (default 0), then every newer
 * version. Subscribing again to a channel the socket already follows is
 * checked like a first one; on success the subscription goes on from the new
 * `after` (the current state comes again if newer), on refusal it ends.
 */
export type SubFrame = Static<typeof SubFrameSchema>;

/** `{"op":"unsub","channel"}`: stop following `channel`; a channel not followed is ignored. */
export type UnsubFrame = Static<typeof UnsubFrameSchema>;

export type ClientFrame = SubFrame | UnsubFrame;

// ------------------------------------------------------------- server -> client

/** One state of a channel: `data` is the full state, `version` grows by one per change. */
export interface StateFrame<T = unknown> {
  channel: string;
  version: number;
  type: string;
  data: T;
}

/**
 * A refusal. With `channel`, the socket no longer follows that channel (if it
 * did); without, it is about a frame that named no usable channel.
 */
export interface ErrorFrame {
  op: 'error';
  channel?: string;
  code: LiveErrorCode;
  message: string;
}

/**
 * Every code a live refusal can carry (WebSocket error frames, SSE and
 * long-poll error bodies, a refused WebSocket upgrade), and whether retrying
 * the same channel with the same token can ever succeed (`terminal`).
 */
export const LIVE_ERRORS = {
  /** Not a JSON text object (binary, malformed, an array...). About the frame, not a channel. */
  invalid_frame: { terminal: false },
  /** `op` is neither `sub` nor `unsub`. About the frame. */
  unknown_op: { terminal: false },
  /** A field has the wrong type or range (`channel` missing, `after` negative...). */
  invalid_request: { terminal: true },
  /** A malformed channel name, a kind nobody serves, or an id that does not exist. */
  unknown_channel: { terminal: true },
  /** The token is missing, malformed, or not for this channel. */
  invalid_token: { terminal: true },
  /** The token was good but has expired (also sent when a followed channel's token runs out): get a fresh one. */
  token_expired: { terminal: true },
  /**
   * The right the token was minted under is gone (a device or API key
   * revoked, a sign-out, a staff assignment removed, a pass link replaced).
   * Sent when it happens, ending a running subscription, and for any later
   * use of the token. Fetching a fresh token fails the same way.
   */
  access_revoked: { terminal: true },
  /** The socket already follows the most channels it may; another transport or socket can. */
  too_many_channels: { terminal: false },
  /** Too many upgrades or sockets from this address (HTTP 429 on the upgrade). */
  rate_limited: { terminal: false },
  /** The store or bus cannot be reached right now. */
  unavailable: { terminal: false },
  internal_error: { terminal: false },
} as const satisfies Record<string, { terminal: boolean }>;
export type LiveErrorCode = keyof typeof LIVE_ERRORS;

/** Errors after which retrying the same channel and token cannot succeed. */
export const TERMINAL_CODES: ReadonlySet<string> = new Set(Object.entries(LIVE_ERRORS).filter(([, v]) => v.terminal).map(([k]) => k));

/** WebSocket close codes the server uses (RFC 6455 and the IANA registry). */
export const CLOSE = {
  /** A frame over the size limit. */
  tooBig: 1009,
  /** The server is restarting: reconnect (to another node) at once. */
  restarting: 1012,
} as const;

/** Reads `{channel, version, type, data}`; null for anything else. */
export function parseState(value: unknown): StateFrame | null {
  if (typeof value !== 'object' || value === null) return null;
  const v = value as Record<string, unknown>;
  if (typeof v.channel !== 'string' || typeof v.version !== 'number' || !Number.isSafeInteger(v.version)) return null;
  return { channel: v.channel, version: v.version, type: typeof v.type === 'string' ? v.type : '', data: v.data };
}

/** Reads `{"op":"error",...}`; null for anything else. An unknown code reads as `internal_error`. */
export function parseError(value: unknown): (Omit<ErrorFrame, 'code'> & { code: string }) | null {
  if (typeof value !== 'object' || value === null) return null;
  const v = value as Record<string, unknown>;
  if (v.op !== 'error') return null;
  const code = typeof v.code === 'string' ? v.code : 'internal_error';
  return {
    op: 'error',
    ...(typeof v.channel === 'string' ? { channel: v.channel } : {}),
    code,
    message: typeof v.message === 'string' ? v.message : code,
  };
}
