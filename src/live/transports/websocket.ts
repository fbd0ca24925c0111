import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket, type RawData } from 'ws';
import { AppError, isAppError } from '../../domain/errors.js';
import { AddressLimits } from '../address-limits.js';
import type { ChannelRegistry, Watcher } from '../channel-registry.js';
import type { ChannelTokens } from '../channel-token.js';
import { decodeClientFrame } from '../frame-decoder.js';
import type { LiveHub, Subscriber } from '../hub.js';
import { CLOSE, LIVE_WS_PATH, MAX_CHANNEL_LENGTH, type LiveErrorCode, type SubFrame } from '../protocol.js';
import { SlicedQueue } from '../sliced-queue.js';

export { CLOSE, LIVE_WS_PATH };

/** The limits one node puts on WebSockets: set by the operator (config.ts), passed through LiveService. */
export interface SocketLimits {
  maxBufferedBytes: number;
  maxFrameBytes: number;
  maxChannelsPerSocket: number;
  /** Open sockets per client address (an IPv6 /64 counts as one) on this node. */
  maxSocketsPerAddress: number;
  /** New sockets per client address per minute on this node. */
  upgradesPerMinute: number;
  /** The client's address key for an upgrade request, by the same trust-proxy rule as `req.ip`. */
  addressOf: (req: IncomingMessage) => string;
  /** The client's address itself, as `req.ip` gives it. */
  ipOf: (req: IncomingMessage) => string;
}

interface WebSocketTransportOptions extends SocketLimits {
  hub: LiveHub;
  registry: ChannelRegistry;
  tokens: ChannelTokens;
  pingMs: number;
  onError: (err: unknown, context: string) => void;
}

/** A socket's frames waiting in the queue past this pause its reading, so TCP pushes back on a flood. */
const MAX_QUEUED_FRAMES_PER_SOCKET = 256;
const OPEN = 1;

/**
 * One socket per screen, many channels per socket. Per-socket state is kept
 * small (one object, no closures) because a node holds tens of thousands of
 * mostly idle sockets; handlers are shared functions bound through `this`.
 */
class LiveSocket implements Subscriber {
  alive = true;
  /**
   * The channels it follows. Most screens follow one: that one is kept as its
   * name, and a Set (about 200 bytes a socket) only from the second on.
   */
  private channels: string | Set<string> | null = null;
  /** Frames of this socket waiting in the transport's queue. */
  queued = 0;
  released = false;
  /** Set once a handler threw: the socket is being dropped, and it is logged only once. */
  faulted = false;
  /** True while writes are held back to leave in one write when this turn's deliveries are done. */
  corked = false;
  /** The turn (see currentTurn) of this socket's last frame: a second one in the same turn is corked. */
  lastTurn = -1;
  /** Too slow a consumer: nothing more is sent, and the connection is cut in a coming slice. */
  cut = false;

  constructor(
    readonly ws: WebSocket,
    readonly transport: WebSocketTransport,
    /** The address key it counts under. */
    readonly address: string,
    /** Who opened it, for channel kinds that want to know who watches (channel-registry.ts). */
    readonly who: Watcher,
  ) {}

  /**
   * A channel's frame goes to every subscriber in one synchronous loop (a
   * call in a queue of 5,000 phones is 5,000 sends): each is the frame's
   * bytes, framed once for all (`framed`), in one write straight to the TCP
   * socket, which leaves at once. The socket's second frame in the same turn
   * (a burst of snapshots after subscribing) is held back with the rest and
   * leaves in one write when the turn ends.
   */
  send(_version: number, frame: string): void {
    const ws = this.ws;
    if (ws.readyState !== OPEN || this.cut) return;
    const raw = (ws as unknown as { _socket?: Duplex | null })._socket;
    if (!raw) return;
    const turn = currentTurn();
    if (this.lastTurn === turn) this.cork(raw);
    this.lastTurn = turn;
    // ws adds nothing to a text frame once the handshake is done (no compression, no masking from a
    // server, no queue of its own for strings and buffers), so a write of the whole frame is what its
    // send would put on the wire, minus a header allocation, two writes and a cork per socket.
    raw.write(framed(frame));
    if (!this.corked && ws.bufferedAmount > this.transport.opts.maxBufferedBytes) this.transport.cutOff(this);
  }

  /** Holds this socket's writes back until the end of the turn, to leave in one write. */
  private cork(raw: Duplex): void {
    if (this.corked) return;
    this.corked = true;
    raw.cork();
    process.nextTick(uncork, this, raw);
  }

  /** Sends what was held back; then a slow consumer (too much unsent) is cut off. */
  flush(raw: Duplex): void {
    this.corked = false;
    raw.uncork();
    if (this.ws.readyState === OPEN && this.ws.bufferedAmount > this.transport.opts.maxBufferedBytes) this.transport.cutOff(this);
  }

  holds(channel: string): boolean {
    const c = this.channels;
    return c !== null && (typeof c === 'string' ? c === channel : c.has(channel));
  }

  holdCount(): number {
    const c = this.channels;
    return c === null ? 0 : typeof c === 'string' ? 1 : c.size;
  }

  hold(channel: string): void {
    const c = this.channels;
    if (c === null) this.channels = channel;
    else if (typeof c === 'string') {
      if (c !== channel) this.channels = new Set([c, channel]);
    } else c.add(channel);
  }

  /** Forgets `channel`; whether it was held. */
  drop(channel: string): boolean {
    const c = this.channels;
    if (c === null) return false;
    if (typeof c === 'string') {
      if (c !== channel) return false;
      this.channels = null;
      return true;
    }
    return c.delete(channel);
  }

  /** Forgets every channel; the ones it held. */
  dropAll(): string[] {
    const c = this.channels;
    this.channels = null;
    return c === null ? [] : typeof c === 'string' ? [c] : [...c];
  }

  /** The hub ended this subscription (its token expired, or its right was revoked). */
  end(channel: string, code: LiveErrorCode, message: string): void {
    this.drop(channel);
    this.error(code, message, channel);
  }

  /** Error frames count against the buffer bound too: a client that floods bad frames and reads no answers is cut off. */
  error(code: LiveErrorCode, message: string, channel?: string): void {
    if (this.ws.readyState !== OPEN || this.cut) return;
    const raw = (this.ws as unknown as { _socket?: Duplex | null })._socket;
    if (raw) this.cork(raw);
    this.ws.send(JSON.stringify(channel === undefined ? { op: 'error', code, message } : { op: 'error', channel, code, message }));
  }
}

/**
 * The turn of the event loop, counted: it moves on in the next tick after a
 * frame was sent, so every send of one synchronous loop (one channel's fan-out,
 * one socket's burst of snapshots) sees the same number.
 */
let turn = 0;
let turnEnding = false;
function currentTurn(): number {
  if (!turnEnding) {
    turnEnding = true;
    process.nextTick(endTurn);
  }
  return turn;
}
function endTurn(): void {
  turn++;
  turnEnding = false;
}

/**
 * The last frame as WebSocket wire bytes, header and payload in one buffer:
 * the hub hands the same string to every subscriber of a channel in turn, so
 * it is encoded and framed once per frame, not once per socket.
 */
let lastFrame = '';
let lastFramed: Buffer = Buffer.alloc(0);
function framed(frame: string): Buffer {
  if (frame !== lastFrame) {
    lastFramed = textFrame(Buffer.from(frame));
    lastFrame = frame;
  }
  return lastFramed;
}

/** A final, unmasked text frame (RFC 6455 section 5.2), as a server sends it. */
export function textFrame(payload: Buffer): Buffer {
  const n = payload.length;
  const headerBytes = n < 126 ? 2 : n < 65536 ? 4 : 10;
  const out = Buffer.allocUnsafe(headerBytes + n);
  out[0] = 0x81; // FIN, opcode 1 (text)
  if (n < 126) out[1] = n;
  else if (n < 65536) {
    out[1] = 126;
    out.writeUInt16BE(n, 2);
  } else {
    out[1] = 127;
    out.writeBigUInt64BE(BigInt(n), 2);
  }
  payload.copy(out, headerBytes);
  return out;
}

function uncork(s: LiveSocket, raw: Duplex): void {
  s.transport.contain(s, 'write', () => s.flush(raw));
}

const SOCKET = Symbol('scanpass.liveSocket');
type TaggedWs = WebSocket & { [SOCKET]: LiveSocket };
const socketOf = (ws: WebSocket) => (ws as TaggedWs)[SOCKET];

// Every handler below is contained: a throw costs that one socket and is logged once, never the process.
function onPong(this: WebSocket): void {
  socketOf(this).alive = true;
}
function onMessage(this: WebSocket, data: RawData, isBinary: boolean): void {
  const s = socketOf(this);
  s.transport.contain(s, 'message', () => s.transport.enqueue(s, data, isBinary));
}
function onClose(this: WebSocket): void {
  const s = socketOf(this);
  s.transport.contain(s, 'close', () => s.transport.release(s));
}
function onSocketError(this: WebSocket, err: Error): void {
  // ws closes the socket itself (1009 for oversized frames, 1002 for protocol errors): those are the
  // caller's doing (codes WS_ERR_*) and not worth a log line each.
  const s = socketOf(this);
  const code = (err as { code?: unknown }).code;
  if (typeof code !== 'string' || !code.startsWith('WS_ERR_')) s.transport.contain(s, 'error', () => s.transport.opts.onError(err, 'websocket'));
}

interface QueuedFrame {
  s: LiveSocket;
  data: RawData;
  isBinary: boolean;
}

export class WebSocketTransport {
  private readonly wss: WebSocketServer;
  private readonly sockets = new Set<LiveSocket>();
  private readonly limits: AddressLimits;
  /** Client frames and socket releases, worked off in slices (a burst of subscribes or drops). */
  private readonly frames: SlicedQueue<QueuedFrame>;
  private readonly releases: SlicedQueue<LiveSocket>;
  private readonly cuts: SlicedQueue<LiveSocket>;
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
    this.limits = new AddressLimits(opts.maxSocketsPerAddress, opts.upgradesPerMinute);
    this.frames = new SlicedQueue((f) => this.handleQueued(f), (err) => opts.onError(err, 'live frame'));
    this.releases = new SlicedQueue((s) => this.detachAll(s), (err) => opts.onError(err, 'live release'));
    // Destroying a socket fails each write still queued on it with an Error (stack and all), after
    // the slice: a few dozen per turn keep two thousand slow consumers from stalling the loop at once.
    this.cuts = new SlicedQueue((s) => s.ws.terminate(), (err) => opts.onError(err, 'live cut'), 4, 32);
    // Ping in slices every 100 ms rather than all sockets at once: one round
    // over 15,000 sockets blocks the event loop for half a second or more.
    this.slices = Math.max(1, Math.round(opts.pingMs / 100));
    this.heartbeat = setInterval(() => this.beatSlice(), opts.pingMs / this.slices);
    this.heartbeat.unref();
  }

  /** Takes over HTTP upgrades on the live path; other paths are refused. */
  attach(server: Server): void {
    server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      try {
        this.upgrade(req, socket, head);
      } catch (err) {
        this.opts.onError(err, 'websocket upgrade');
        socket.destroy();
      }
    });
  }

  count(): number {
    return this.sockets.size;
  }

  /** Tells every client to reconnect elsewhere (1012) and stops taking new ones. */
  async shutdown(graceMs: number): Promise<void> {
    this.closing = true;
    clearInterval(this.heartbeat);
    this.limits.stop();
    for (const s of this.sockets) s.ws.close(CLOSE.restarting, 'server restarting');
    const deadline = Date.now() + graceMs;
    while (this.sockets.size > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    for (const s of this.sockets) s.ws.terminate();
  }

  /**
   * Runs a socket handler; if it throws, the socket is dropped and the error
   * logged once. Nothing a client sends may reach an uncaught exception.
   */
  contain(s: LiveSocket, context: string, fn: () => void): void {
    try {
      fn();
    } catch (err) {
      if (s.faulted) return;
      s.faulted = true;
      this.opts.onError(err, `websocket ${context}`);
      try {
        s.ws.terminate();
      } catch {
        // already gone
      }
    }
  }

  enqueue(s: LiveSocket, data: RawData, isBinary: boolean): void {
    if (s.released) return;
    if (++s.queued >= MAX_QUEUED_FRAMES_PER_SOCKET && !s.ws.isPaused) s.ws.pause();
    this.frames.runOrPush({ s, data, isBinary });
  }

  /**
   * Cuts off a consumer too slow to keep up: at once nothing more is sent to it, and soon its
   * connection is dropped without a close frame, which would only queue behind the data it is
   * not reading and hold every buffer for the 30 s close timeout.
   */
  cutOff(s: LiveSocket): void {
    if (s.cut) return;
    s.cut = true;
    this.cuts.push(s);
  }

  /** Forgets a closed socket at once; its subscriptions are let go in the next slices. */
  release(s: LiveSocket): void {
    if (s.released) return;
    s.released = true;
    this.sockets.delete(s);
    this.limits.closed(s.address);
    if (s.holdCount() > 0) this.releases.push(s);
  }

  private upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    socket.on('error', () => socket.destroy());
    const path = (req.url ?? '').split('?', 1)[0];
    if (path !== LIVE_WS_PATH) return refuse(socket, 404, 'not_found', 'no WebSocket endpoint here');
    if (this.closing) return refuse(socket, 503, 'unavailable', 'server is shutting down', 1);
    const address = this.opts.addressOf(req);
    const admitted = this.limits.admit(address);
    if (!admitted.ok) {
      const why = admitted.reason === 'sockets' ? `at most ${this.opts.maxSocketsPerAddress} open live sockets per address` : `at most ${this.opts.upgradesPerMinute} new live sockets per minute per address`;
      return refuse(socket, 429, 'rate_limited', `${why}; retry in ${admitted.retryAfterSeconds} s`, admitted.retryAfterSeconds);
    }
    const who = { ip: this.opts.ipOf(req), userAgent: req.headers['user-agent'] ?? '' };
    this.wss.handleUpgrade(req, socket, head, (ws) => this.adopt(ws, address, who));
  }

  private adopt(ws: WebSocket, address: string, who: Watcher): void {
    const s = new LiveSocket(ws, this, address, who);
    (ws as TaggedWs)[SOCKET] = s;
    this.sockets.add(s);
    this.limits.opened(address);
    ws.on('pong', onPong);
    ws.on('message', onMessage);
    ws.on('close', onClose);
    ws.on('error', onSocketError);
  }

  private handleQueued({ s, data, isBinary }: QueuedFrame): void {
    s.queued--;
    if (s.ws.isPaused && s.queued < MAX_QUEUED_FRAMES_PER_SOCKET / 2) s.ws.resume();
    if (s.released || s.ws.readyState !== OPEN) return;
    this.contain(s, 'frame', () => this.handleFrame(s, data, isBinary));
  }

  private handleFrame(s: LiveSocket, data: RawData, isBinary: boolean): void {
    const d = decodeClientFrame(data, isBinary);
    if (d.ok) {
      if (d.frame.op === 'sub') return this.sub(s, d.frame);
      if (s.drop(d.frame.channel)) this.opts.hub.unsubscribe(d.frame.channel, s);
      return;
    }
    if (d.channel === undefined) return s.error(d.code, d.message);
    // A sub naming a channel: whatever else is wrong with it, an unknown channel is said first.
    this.letGo(s, d.channel);
    const unknown = this.knownChannel(d.channel);
    if (unknown) this.report(s, unknown, d.channel);
    else s.error(d.code, d.message, d.channel.slice(0, MAX_CHANNEL_LENGTH));
  }

  /** Null when the channel's name and kind are known; otherwise the `unknown_channel` error. */
  private knownChannel(name: string): AppError | null {
    try {
      this.opts.registry.check(name);
      return null;
    } catch (err) {
      if (isAppError(err)) return err;
      throw err;
    }
  }

  /**
   * Checks in the order a client can act on: the channel, then the token, then
   * room on the socket. A channel the socket already follows is checked the
   * same way: on success it goes on from the new `after`, on refusal it ends.
   */
  private sub(s: LiveSocket, frame: SubFrame): void {
    const name = frame.channel;
    const held = s.holds(name);
    let claims: ReturnType<ChannelTokens['verify']>;
    try {
      const unknown = this.knownChannel(name);
      if (unknown) throw unknown;
      claims = this.opts.tokens.verify(name, frame.token);
      if (!held && s.holdCount() >= this.opts.maxChannelsPerSocket) {
        throw new AppError('too_many_channels', `a socket may follow at most ${this.opts.maxChannelsPerSocket} channels`);
      }
    } catch (err) {
      return this.refuseSub(s, name, err);
    }
    s.hold(name);
    this.opts.hub.subscribe(name, s, frame.after ?? 0, claims, s.who).catch((err: unknown) => {
      // An unsub and a new sub may have happened meanwhile; only forget the channel if the hub did.
      if (!this.opts.hub.has(name, s)) s.drop(name);
      this.report(s, err, name);
    });
  }

  /** Answers a refused sub; a channel the socket followed is let go, so the error frame's promise holds. */
  private refuseSub(s: LiveSocket, name: string, err: unknown): void {
    this.letGo(s, name);
    this.report(s, err, name);
  }

  private letGo(s: LiveSocket, name: string): void {
    if (s.drop(name)) this.opts.hub.unsubscribe(name, s);
  }

  private report(s: LiveSocket, err: unknown, channel: string): void {
    if (isAppError(err)) return s.error(err.code as LiveErrorCode, err.message, channel.slice(0, MAX_CHANNEL_LENGTH));
    this.opts.onError(err, 'live subscribe');
    s.error('internal_error', 'could not subscribe', channel.slice(0, MAX_CHANNEL_LENGTH));
  }

  private detachAll(s: LiveSocket): void {
    for (const c of s.dropAll()) this.opts.hub.unsubscribe(c, s);
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
      if (s.released) continue;
      if (!s.alive) {
        s.ws.terminate();
        continue;
      }
      s.alive = false;
      try {
        s.ws.ping();
      } catch {
        s.ws.terminate(); // the socket is already closing
      }
    }
    this.slice = (this.slice + 1) % this.slices;
    if (this.slice === 0) this.round = [];
  }
}

const STATUS_TEXT: Record<number, string> = { 404: 'Not Found', 429: 'Too Many Requests', 503: 'Service Unavailable' };

function refuse(socket: Duplex, status: number, code: string, message: string, retryAfterSeconds?: number): void {
  const body = JSON.stringify({ error: code, message });
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_TEXT[status] ?? 'Error'}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
      (retryAfterSeconds !== undefined ? `Retry-After: ${retryAfterSeconds}\r\n` : '') +
      `Connection: close\r\n\r\n${body}`,
  );
}
