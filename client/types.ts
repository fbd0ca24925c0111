import type { StateFrame } from '../src/live/protocol.js';

/** One state of a channel: `data` is the full state, `version` grows by one per change. */
export type LiveState<T = unknown> = StateFrame<T>;

/** The ways the SDK can reach the server, in the order it tries them by default. */
export type TransportKind = 'websocket' | 'sse' | 'poll';

/**
 * - `connecting`: first attempt under way
 * - `open`: connected; states arrive as they change
 * - `reconnecting`: the connection was lost or refused; retrying with backoff
 * - `closed`: stopped for good (a terminal error, or `unsubscribe()`)
 */
export type LiveStatus = 'connecting' | 'open' | 'reconnecting' | 'closed';

/** Anything the global `WebSocket` or the `ws` package's class satisfies. */
export type WebSocketConstructor = new (url: string) => unknown;

/** The global `fetch` or a compatible one. */
export type FetchLike = (input: string, init?: RequestInit) => Promise<Response>;

export interface LiveClientOptions {
  /** Base URL of the server, e.g. `https://scan.example.com`; in a browser it defaults to the page's origin. */
  url?: string;
  /** WebSocket class; defaults to `globalThis.WebSocket`. In Node 20 pass `WebSocket` from the `ws` package. */
  WebSocket?: WebSocketConstructor;
  /** fetch for SSE and long-poll; defaults to `globalThis.fetch`. */
  fetch?: FetchLike;
  /** Transports to use, in order of preference; default `['websocket', 'sse', 'poll']`. */
  transports?: TransportKind[];
  /** Reconnect backoff: first delay bound in ms (default 250) and cap (default 10 000); full jitter. */
  backoff?: { baseMs?: number; capMs?: number };
  /** Seconds a long-poll is held by the server (default 25, at most 30). */
  pollWaitSeconds?: number;
  /** An SSE stream silent for this long is considered dead and reopened (default 75 000; the server pings every 25 s). */
  sseIdleTimeoutMs?: number;
}

export interface SubscribeOptions {
  /**
   * An error from the server about this subscription. With `terminal: true`
   * (`invalid_token`, `token_expired`, `access_revoked`, `unknown_channel`, `invalid_request`) the
   * subscription has stopped: get a fresh token and subscribe again. Others
   * (`unavailable`, `too_many_channels`, ...) are retried.
   */
  onError?: (error: LiveErrorInfo) => void;
  /** Connection status changes, for a "reconnecting…" badge. */
  onStatus?: (status: LiveStatus, transport: TransportKind | null) => void;
  /** Resume after this version (e.g. one already rendered server-side); default 0 = send the current state first. */
  after?: number;
  /**
   * Fetches a fresh channel token when the server says the one in use has
   * expired (`token_expired`, which it sends when a followed channel's token
   * runs out): typically by calling again the API that handed out the first,
   * which checks again that the caller may still watch. The subscription
   * goes on from the last version seen, with no state lost. Resolving null,
   * or rejecting, ends it with `token_expired` (terminal). A revoked right
   * (`access_revoked`) is never renewed.
   *
   * @example
   * subscribe(live.channel, live.token, render, {
   *   renew: async () => (await api(`/api/v1/sessions/${id}/counts`)).live.token,
   * });
   */
  renew?: () => Promise<string | null | undefined>;
}

export interface LiveErrorInfo {
  /** Server error code, e.g. `invalid_token`, `token_expired`, `unknown_channel`. */
  code: string;
  message: string;
  channel: string;
  /** True when the SDK gave up on this subscription. */
  terminal: boolean;
}

export interface LiveSubscription {
  /** Stops delivery and releases the connection (the shared socket closes once no channel uses it). */
  unsubscribe(): void;
  /** The transport in use or being tried; null once closed. */
  readonly transport: TransportKind | null;
  readonly status: LiveStatus;
  /** The last version delivered to `onState` (or `after`). */
  readonly version: number;
}

/** Why a transport connection for one subscription ended. */
export type Failure =
  /** The connection ended (`opened`: it had been up) or could not be made; `restart`: server said 1012. */
  | { reason: 'closed'; opened: boolean; restart?: boolean }
  /** The server refused this subscription with an error code. */
  | { reason: 'refused'; code: string; message: string };

/** What a transport talks to: one subscription's end. */
export interface Sink {
  readonly channel: string;
  readonly token: string;
  /** Last version seen; resume after it. */
  version(): number;
  opened(): void;
  state(event: LiveState): void;
  /** Called at most once per connection; the subscription decides how to retry. */
  failed(why: Failure): void;
}

/** One subscription's connection over one transport. */
export interface Connection {
  /** Ends it without calling `failed`. */
  close(): void;
}
