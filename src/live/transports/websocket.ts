import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket, type RawData } from 'ws';
import { AppError, isAppError } from '../../domain/errors.js';
import type { LiveEvent } from '../../domain/live-event.js';
import type { ChannelTokens } from '../channel-token.js';
import type { LiveHub, Subscriber } from '../hub.js';

export const LIVE_WS_PATH = '/v1/live';

export interface WebSocketTransportOptions {
  hub: LiveHub;
  tokens: ChannelTokens;
  pingMs: number;
  maxBufferedBytes: number;
  maxFrameBytes: number;
  maxChannelsPerSocket: number;
  onError: (err: unknown, context: string) => void;
}

/** Close codes from RFC 6455 and the IANA registry. */
export const CLOSE = { goingAway: 1001, tooBig: 1009, restarting: 1012, tryAgainLater: 1013 } as const;

/**
 * One socket per screen, many channels per socket. Per-socket state is kept
 * small (one object, no closures) because a node holds tens of thousands of
 * mostly idle sockets; handlers are shared functions bound through `this`.
 */
class LiveSocket implements Subscriber {
  alive = true;
  channels: Set<string> | null = null;

  constructor(
    readonly ws: WebSocket,
    readonly transport: WebSocketTransport,
  ) {}

  send(_event: LiveEvent, frame: string): void {
    const ws = this.ws;
    if (ws.readyState !== 1) return;
    ws.send(frame);
    if (ws.bufferedAmount > this.transport.opts.maxBufferedBytes) ws.close(CLOSE.tryAgainLater, 'slow consumer');
  }

  error(code: string, message: string, channel?: string): void {
    if (this.ws.readyState !== 1) return;
    this.ws.send(JSON.stringify(channel === undefined ? { op: 'error', code, message } : { op: 'error', channel, code, message }));
  }
}

const SOCKET = Symbol('scanpass.liveSocket');
type TaggedWs = WebSocket & { [SOCKET]: LiveSocket };
const socketOf = (ws: WebSocket) => (ws as TaggedWs)[SOCKET];

function onPong(this: WebSocket): void {
  socketOf(this).alive = true;
}
function onMessage(this: WebSocket, data: RawData, isBinary: boolean): void {
  const s = socketOf(this);
  s.transport.handleFrame(s, data, isBinary);
}
function onClose(this: WebSocket): void {
  const s = socketOf(this);
  s.transport.release(s);
}
function onSocketError(this: WebSocket, err: Error): void {
  // ws closes the socket itself (1009 for oversized frames, 1002 for protocol errors).
  const s = socketOf(this);
  if ((err as { code?: string }).code !== 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH') s.transport.opts.onError(err, 'websocket');
}

export class WebSocketTransport {
  private readonly wss: WebSocketServer;
  private readonly sockets = new Set<LiveSocket>();
  private readonly heartbeat: NodeJS.Timeout;
  private readonly slices: number;
  /** The sockets of the current heartbeat round, and the slice of it due next. */
  private round: LiveSocket[] = [];
  private slice = 0;
  private closing = false;

  constructor(readonly opts: WebSocketTransportOptions) {
    this.wss = new WebSocketServer({
      noServer: true,
      clientTracking: false,
      perMessageDeflate: false, // a zlib context per socket costs more than the bytes it saves here
      maxPayload: opts.maxFrameBytes,
    });
    // Ping in slices every 100 ms rather than all sockets at once: one round
    // over 15,000 sockets blocks the event loop for half a second or more.
    this.slices = Math.max(1, Math.round(opts.pingMs / 100));
    this.heartbeat = setInterval(() => this.beatSlice(), opts.pingMs / this.slices);
    this.heartbeat.unref();
  }

  /** Takes over HTTP upgrades on the live path; other paths are refused. */
  attach(server: Server): void {
    server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      const path = (req.url ?? '').split('?', 1)[0];
      if (path !== LIVE_WS_PATH) return refuse(socket, 404, 'not_found');
      if (this.closing) return refuse(socket, 503, 'unavailable');
      socket.on('error', () => socket.destroy());
      this.wss.handleUpgrade(req, socket, head, (ws) => this.adopt(ws));
    });
  }

  count(): number {
    return this.sockets.size;
  }

  /** Tells every client to reconnect elsewhere (1012) and stops taking new ones. */
  async shutdown(graceMs: number): Promise<void> {
    this.closing = true;
    clearInterval(this.heartbeat);
    for (const s of this.sockets) s.ws.close(CLOSE.restarting, 'server restarting');
    const deadline = Date.now() + graceMs;
    while (this.sockets.size > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    for (const s of this.sockets) s.ws.terminate();
  }

  handleFrame(s: LiveSocket, data: RawData, isBinary: boolean): void {
    let msg: unknown;
    try {
      if (isBinary) throw new Error('binary');
      msg = JSON.parse(data.toString());
    } catch {
      return s.error('invalid_frame', 'frames must be JSON text objects');
    }
    if (typeof msg !== 'object' || msg === null || Array.isArray(msg)) return s.error('invalid_frame', 'frames must be JSON objects');
    const { op, channel, token, after } = msg as Record<string, unknown>;
    if (op === 'sub') return this.sub(s, channel, token, after);
    if (op === 'unsub') {
      if (typeof channel !== 'string') return s.error('invalid_request', 'unsub needs a channel');
      if (s.channels?.delete(channel)) this.opts.hub.unsubscribe(channel, s);
      return;
    }
    s.error('unknown_op', `unknown op: ${String(op).slice(0, 40)}; use "sub" or "unsub"`);
  }

  release(s: LiveSocket): void {
    this.sockets.delete(s);
    if (s.channels) for (const c of s.channels) this.opts.hub.unsubscribe(c, s);
    s.channels = null;
  }

  private sub(s: LiveSocket, channel: unknown, token: unknown, after: unknown): void {
    const name = typeof channel === 'string' ? channel.slice(0, 200) : undefined;
    try {
      if (name === undefined) throw new AppError('invalid_request', 'sub needs a channel');
      if (after !== undefined && !(Number.isSafeInteger(after) && (after as number) >= 0)) {
        throw new AppError('invalid_request', 'after must be a non-negative integer');
      }
      this.opts.tokens.verify(name, token);
      if (s.channels?.has(name)) return;
      if ((s.channels?.size ?? 0) >= this.opts.maxChannelsPerSocket) {
        throw new AppError('too_many_channels', `a socket may follow at most ${this.opts.maxChannelsPerSocket} channels`);
      }
    } catch (err) {
      return this.reportError(s, err, name);
    }
    (s.channels ??= new Set()).add(name);
    this.opts.hub.subscribe(name, s, (after as number | undefined) ?? 0).catch((err) => {
      // An unsub and a new sub may have happened meanwhile; only forget the channel if the hub did.
      if (!this.opts.hub.has(name, s)) s.channels?.delete(name);
      this.reportError(s, err, name);
    });
  }

  private reportError(s: LiveSocket, err: unknown, channel: string | undefined): void {
    if (isAppError(err)) return s.error(err.code, err.message, channel);
    this.opts.onError(err, 'live subscribe');
    s.error('internal_error', 'could not subscribe', channel);
  }

  private adopt(ws: WebSocket): void {
    const s = new LiveSocket(ws, this);
    (ws as TaggedWs)[SOCKET] = s;
    this.sockets.add(s);
    ws.on('pong', onPong);
    ws.on('message', onMessage);
    ws.on('close', onClose);
    ws.on('error', onSocketError);
  }

  /**
   * One slice of the heartbeat: each socket is pinged once per interval and
   * dropped if it did not answer the previous ping.
   */
  private beatSlice(): void {
    if (this.slice === 0) this.round = [...this.sockets];
    const per = Math.ceil(this.round.length / this.slices);
    const end = Math.min(this.round.length, (this.slice + 1) * per);
    for (let i = this.slice * per; i < end; i++) {
      const s = this.round[i]!;
      if (!this.sockets.has(s)) continue;
      if (!s.alive) {
        s.ws.terminate();
        continue;
      }
      s.alive = false;
      s.ws.ping();
    }
    this.slice = (this.slice + 1) % this.slices;
    if (this.slice === 0) this.round = [];
  }

}

function refuse(socket: Duplex, status: number, code: string): void {
  const body = JSON.stringify({ error: code, message: status === 404 ? 'no WebSocket endpoint here' : 'server is shutting down' });
  socket.end(
    `HTTP/1.1 ${status} ${status === 404 ? 'Not Found' : 'Service Unavailable'}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}
