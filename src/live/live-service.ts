import type { Server } from 'node:http';
import type { LiveEvent } from '../domain/live-event.js';
import { ANONYMOUS, type LiveAccess, type Revocation } from '../domain/live-grant.js';
import type { App } from '../http/types.js';
import type { Bus } from './bus.js';
import type { LiveGrant } from './live-grant-schema.js';
import { ChannelRegistry } from './channel-registry.js';
import type { ChannelTokens } from './channel-token.js';
import { LiveHub } from './hub.js';
import { pollRoutes } from './transports/long-poll.js';
import { sseRoutes } from './transports/sse.js';
import { WebSocketTransport, type SocketLimits } from './transports/websocket.js';

export interface LiveOptions extends SocketLimits {
  bus: Bus;
  tokens: ChannelTokens;
  pingSeconds: number;
  onError: (err: unknown, context: string) => void;
  /** The clock channel tokens are minted and checked by; default Date.now. */
  now?: (() => number) | undefined;
}

/** The live channel as one service: features register channel kinds and publish; transports deliver. */
export class LiveService {
  readonly registry = new ChannelRegistry();
  readonly hub: LiveHub;
  readonly tokens: ChannelTokens;
  readonly bus: Bus;
  private readonly ws: WebSocketTransport;
  private sse?: ReturnType<typeof sseRoutes>;
  private poll?: ReturnType<typeof pollRoutes>;

  constructor(private readonly opts: LiveOptions) {
    this.bus = opts.bus;
    this.tokens = opts.tokens;
    this.hub = new LiveHub(opts.bus, this.registry, { onError: opts.onError, now: opts.now });
    this.ws = new WebSocketTransport({ ...opts, hub: this.hub, registry: this.registry, pingMs: opts.pingSeconds * 1000 });
  }

  routes(app: App): void {
    this.sse = sseRoutes(app, { hub: this.hub, tokens: this.tokens, pingMs: this.opts.pingSeconds * 1000, maxBufferedBytes: this.opts.maxBufferedBytes });
    this.poll = pollRoutes(app, { hub: this.hub, tokens: this.tokens });
  }

  attach(server: Server): void {
    this.ws.attach(server);
  }

  /** Fire-and-forget publish after a commit: the store already holds the truth, so a lost event only delays. */
  publish(event: LiveEvent): void {
    this.hub.publish(event).catch((err) => this.opts.onError(err, `publish ${event.channel}`));
  }

  /**
   * A channel token for `channel`, to hand to the screen that may watch it.
   * `access` names the rights of the caller it is minted for (see
   * domain/live-grant.ts): revoking any of them ends what the token opened.
   */
  grant(channel: string, access: LiveAccess = ANONYMOUS, ttlSeconds?: number): LiveGrant {
    const { token, expiresAt } = this.tokens.mint(channel, ttlSeconds, access);
    return { channel, token, expires_at: expiresAt };
  }

  /**
   * After a right was revoked (and the revocation committed): every node ends
   * the subscriptions opened under it and refuses its tokens. Fire-and-forget
   * like `publish`: a node the bus does not reach ends them at token expiry.
   */
  revoke(r: Omit<Revocation, 'at'> & { at?: number }): void {
    const revocation: Revocation = { grant: r.grant, at: r.at ?? (this.opts.now ?? Date.now)(), ...(r.channel === undefined ? {} : { channel: r.channel }) };
    this.hub.revoke(revocation).catch((err) => this.opts.onError(err, `revoke ${r.grant}`));
  }

  stats() {
    return { ...this.hub.stats(), websockets: this.ws.count(), sse: this.sse?.count() ?? 0, polls: this.poll?.count() ?? 0 };
  }

  async shutdown(graceMs: number): Promise<void> {
    this.hub.close();
    this.sse?.shutdown();
    this.poll?.shutdown();
    await this.ws.shutdown(graceMs);
  }
}
