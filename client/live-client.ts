import { wsUrl } from './protocol.js';
import { Subscription, type SubscriptionHost } from './subscription.js';
import { connectPoll } from './transports/long-poll.js';
import { connectSse } from './transports/sse.js';
import { SharedSocket } from './transports/websocket.js';
import type { Connection, FetchLike, LiveClientOptions, LiveState, LiveSubscription, Sink, SubscribeOptions, TransportKind, WebSocketConstructor } from './types.js';

export interface LiveClient {
  /**
   * Follows `channel`: `onState` gets the current state, then every newer
   * version, never an older or repeated one, across reconnects and transports.
   *
   * @example
   * const sub = client.subscribe('login:abc', token, (s) => render(s.data), {
   *   onError: (e) => e.terminal && showExpired(e.code),
   *   onStatus: (status) => badge(status),
   * });
   * // later
   * sub.unsubscribe();
   */
  subscribe<T = unknown>(channel: string, token: string, onState: (state: LiveState<T>) => void, opts?: SubscribeOptions): LiveSubscription;
  /** Ends every subscription and the shared socket. */
  close(): void;
}

const ALL: readonly TransportKind[] = ['websocket', 'sse', 'poll'];

/**
 * A client for one server: one shared WebSocket for all its subscriptions,
 * falling back to SSE and then long-poll per subscription.
 *
 * @example
 * // browser
 * const client = createLiveClient({ url: 'https://scan.example.com' });
 * // Node 20 (no global WebSocket)
 * import WebSocket from 'ws';
 * const client = createLiveClient({ url, WebSocket });
 * client.subscribe('pass:123', token, (s) => console.log(s.version, s.data));
 */
export function createLiveClient(options: LiveClientOptions = {}): LiveClient {
  const baseUrl = options.url ?? (globalThis as { location?: { origin?: string } }).location?.origin;
  if (!baseUrl) throw new TypeError('createLiveClient needs a url outside a browser');
  const WebSocketClass = options.WebSocket ?? (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
  const fetchFn: FetchLike | undefined = options.fetch ?? (typeof globalThis.fetch === 'function' ? globalThis.fetch.bind(globalThis) : undefined);

  const transports = (options.transports ?? ALL).filter((k, i, all) => {
    if (all.indexOf(k) !== i) return false;
    return k === 'websocket' ? !!WebSocketClass : !!fetchFn;
  });
  if (transports.length === 0) throw new TypeError('no usable transport: pass WebSocket or fetch');

  const subs = new Set<Subscription>();
  const worked = new Set<TransportKind>();
  const socket = WebSocketClass
    ? new SharedSocket(wsUrl(baseUrl), WebSocketClass, () => {
        for (const s of [...subs]) if (s.waitingFor('websocket')) s.retryNow();
      })
    : null;

  const host: SubscriptionHost = {
    transports,
    backoff: options.backoff ?? {},
    worked: (k) => worked.has(k),
    markWorked: (k) => void worked.add(k),
    release: (s) => void subs.delete(s),
    connect(kind: TransportKind, sink: Sink): Connection {
      if (kind === 'websocket') return socket!.connect(sink);
      if (kind === 'sse') return connectSse({ baseUrl, fetch: fetchFn!, idleTimeoutMs: options.sseIdleTimeoutMs ?? 75_000 }, sink);
      return connectPoll({ baseUrl, fetch: fetchFn!, waitSeconds: Math.max(0, Math.min(30, options.pollWaitSeconds ?? 25)) }, sink);
    },
  };

  return {
    subscribe<T>(channel: string, token: string, onState: (state: LiveState<T>) => void, opts: SubscribeOptions = {}): LiveSubscription {
      const sub = new Subscription(host, channel, token, onState as (state: LiveState) => void, opts);
      subs.add(sub);
      sub.start();
      return sub;
    },
    close() {
      for (const s of [...subs]) s.unsubscribe();
      socket?.destroy();
    },
  };
}

/**
 * Follows one channel with a client of its own; `unsubscribe()` closes it.
 * Pages with several channels should share one `createLiveClient()` instead.
 *
 * @example
 * const sub = subscribe('login:abc', token, (s) => render(s.data), {
 *   url: 'https://scan.example.com',
 *   onError: (e) => showError(e.code),
 * });
 */
export function subscribe<T = unknown>(
  channel: string,
  token: string,
  onState: (state: LiveState<T>) => void,
  options: LiveClientOptions & SubscribeOptions = {},
): LiveSubscription {
  const client = createLiveClient(options);
  const sub = client.subscribe(channel, token, onState, options);
  return {
    unsubscribe() {
      client.close();
    },
    get transport() {
      return sub.transport;
    },
    get status() {
      return sub.status;
    },
    get version() {
      return sub.version;
    },
  };
}
