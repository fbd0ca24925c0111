import type { Server } from 'node:http';
import type { LiveEvent } from '../domain/live-event.js';
import type { App } from '../http/types.js';
import type { Bus } from './bus.js';
import { ChannelRegistry } from './channel-registry.js';
import type { ChannelTokens } from './channel-token.js';
import { LiveHub } from './hub.js';
import { pollRoutes } from './transports/long-poll.js';
import { sseRoutes } from './transports/sse.js';
import { WebSocketTransport } from './transports/websocket.js';

export interface LiveOptions {
  bus: Bus;
  tokens: ChannelTokens;
  pingSeconds: number;
  maxBufferedBytes: number;
  maxFrameBytes: number;
  maxChannelsPerSocket: number;
  onError: (err: unknown, context: string) => void;
}

/** The live channel as one service: flows register channel kinds and publish; transports deliver. */
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
    this.hub = new LiveHub(opts.bus, this.registry, opts.onError);
    this.ws = new WebSocketTransport({ ...opts, hub: this.hub, pingMs: opts.pingSeconds * 1000 });
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

  /** A channel token for `channel`, to hand to the screen that may watch it. */
  grant(channel: string, ttlSeconds?: number): { channel: string; token: string; expires_at: number } {
    const { token, expiresAt } = this.tokens.mint(channel, ttlSeconds);
    return { channel, token, expires_at: expiresAt };
  }

  stats() {
    return { ...this.hub.stats(), websockets: this.ws.count(), sse: this.sse?.count() ?? 0, polls: this.poll?.count() ?? 0 };
  }

  async shutdown(graceMs: number): Promise<void> {
    this.sse?.shutdown();
    this.poll?.shutdown();
    await this.ws.shutdown(graceMs);
  }
}
