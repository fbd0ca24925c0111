/**
 * scanpass live SDK: follow channel state from browsers and Node.
 *
 * @example
 * import { subscribe } from 'scanpass/client';
 * const sub = subscribe(channel, token, (s) => render(s.data), { url: 'https://scan.example.com' });
 */
export { createLiveClient, subscribe, type LiveClient } from './live-client.js';
export { backoffDelay } from './backoff.js';
export type {
  FetchLike,
  LiveClientOptions,
  LiveErrorInfo,
  LiveState,
  LiveStatus,
  LiveSubscription,
  SubscribeOptions,
  TransportKind,
  WebSocketConstructor,
} from './types.js';
