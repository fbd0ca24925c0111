import { createLiveClient, type LiveClient, type LiveStatus, type LiveSubscription } from '../../client/index.js';
import type { LiveGrant as Live } from '../../src/live/live-grant-schema.js';
import { FINAL, type ShareState } from './share-api.js';

let client: LiveClient | undefined;

/**
 * Follows one share's channel: `onState` gets the current state, then every
 * change, pushed (WebSocket, else SSE, else long-poll). When the channel token
 * runs out before the share ends, `renew` fetches a fresh one and we go on.
 */
export function watchShare(
  live: Live,
  onState: (s: ShareState) => void,
  renew: () => Promise<Live | null>,
  onStatus?: (s: LiveStatus) => void,
): { stop(): void } {
  client ??= createLiveClient();
  let sub: LiveSubscription | undefined;
  let last: ShareState | undefined;
  let stopped = false;
  const start = (l: Live, after: number) => {
    sub = client!.subscribe<ShareState>(
      l.channel,
      l.token,
      (s) => {
        last = s.data;
        onState(s.data);
        if (FINAL.has(s.data.status)) stopNow();
      },
      {
        after,
        onStatus: (st) => onStatus?.(st),
        // A token that runs out before the share ends is renewed by the SDK; a sign-out ends the watch.
        renew: async () => (stopped || (last && FINAL.has(last.status)) ? null : ((await renew())?.token ?? null)),
      },
    );
  };
  const stopNow = () => {
    stopped = true;
    sub?.unsubscribe();
  };
  start(live, 0);
  return { stop: stopNow };
}
