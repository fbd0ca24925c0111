import { CLOSE, parseError, parseState } from '../protocol.js';
import type { Connection, LiveState, Sink, WebSocketConstructor } from '../types.js';

/** The part of the WebSocket API used here; both the browser's and `ws`'s sockets have it. */
interface Socket {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: ((ev: unknown) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
  onclose: ((ev: { code: number }) => void) | null;
  onerror: ((ev: unknown) => void) | null;
}

interface ChannelEntry {
  sinks: Set<Sink>;
  /** `after` sent with the last sub frame for this channel. */
  after: number;
  /** Latest state received on this socket, for a second subscriber of the same channel. */
  latest: LiveState | null;
}

const OPEN = 1;
/** How long an unused socket stays open, so an unsubscribe followed by a subscribe reuses it. */
const LINGER_MS = 1000;

/**
 * One shared WebSocket carrying every channel of a client. It opens when the
 * first subscription needs it; when it drops, every subscription on it is told
 * and retries on its own backoff, and whichever comes first opens the next
 * socket that the others join.
 */
export class SharedSocket {
  private socket: Socket | null = null;
  private isOpen = false;
  private readonly channels = new Map<string, ChannelEntry>();
  private linger: ReturnType<typeof setTimeout> | null = null;

  constructor(
    private readonly url: string,
    private readonly WebSocketClass: WebSocketConstructor,
    /** Called each time a socket opens: subscriptions waiting to retry may join now. */
    private readonly onOpen: () => void,
  ) {}

  connect(sink: Sink): Connection {
    if (this.linger) {
      clearTimeout(this.linger);
      this.linger = null;
    }
    let entry = this.channels.get(sink.channel);
    if (!entry) {
      entry = { sinks: new Set(), after: sink.version(), latest: null };
      this.channels.set(sink.channel, entry);
      entry.sinks.add(sink);
      if (this.isOpen) {
        this.sendSub(sink.channel, entry, sink.token);
        sink.opened();
      }
    } else {
      entry.sinks.add(sink);
      if (this.isOpen) {
        sink.opened();
        this.join(sink, entry);
      }
    }
    if (!this.socket) this.open();
    return { close: () => this.leave(sink) };
  }

  /** Closes the socket without telling anyone (the client is closing). */
  destroy(): void {
    this.channels.clear();
    this.drop();
  }

  private join(sink: Sink, entry: ChannelEntry): void {
    if (entry.latest && entry.latest.version > sink.version()) sink.state(entry.latest);
    else if (!entry.latest && sink.version() < entry.after) {
      // The server may not send state older than the first subscriber had: ask again from here.
      this.send({ op: 'unsub', channel: sink.channel });
      this.sendSub(sink.channel, entry, sink.token, sink.version());
    }
  }

  private sendSub(channel: string, entry: ChannelEntry, token: string, after = Math.min(...[...entry.sinks].map((s) => s.version()))): void {
    entry.after = after;
    this.send({ op: 'sub', channel, token, after });
  }

  private leave(sink: Sink): void {
    const entry = this.channels.get(sink.channel);
    if (!entry || !entry.sinks.delete(sink)) return;
    if (entry.sinks.size === 0) {
      this.channels.delete(sink.channel);
      this.send({ op: 'unsub', channel: sink.channel });
    }
    this.lingerIfIdle();
  }

  private open(): void {
    let socket: Socket;
    try {
      socket = new this.WebSocketClass(this.url) as Socket;
    } catch {
      // e.g. blocked by policy: report as a failed handshake, asynchronously like a real one.
      const failed = [...this.channels.values()].flatMap((e) => [...e.sinks]);
      this.channels.clear();
      setTimeout(() => failed.forEach((s) => s.failed({ reason: 'closed', opened: false })), 0);
      return;
    }
    this.socket = socket;
    socket.onopen = () => {
      if (this.socket !== socket) return;
      this.isOpen = true;
      for (const [channel, entry] of this.channels) this.sendSub(channel, entry, [...entry.sinks][0]!.token);
      for (const sink of [...this.channels.values()].flatMap((e) => [...e.sinks])) sink.opened();
      this.lingerIfIdle();
      this.onOpen();
    };
    socket.onmessage = (ev) => {
      if (this.socket === socket) this.receive(ev.data);
    };
    socket.onerror = () => {}; // a close event follows
    socket.onclose = (ev) => {
      if (this.socket !== socket) return;
      const wasOpen = this.isOpen;
      this.socket = null;
      this.isOpen = false;
      const sinks = [...this.channels.values()].flatMap((e) => [...e.sinks]);
      this.channels.clear();
      for (const sink of sinks) sink.failed({ reason: 'closed', opened: wasOpen, restart: ev.code === CLOSE.restarting });
    };
  }

  /** Closes the socket soon if no channel uses it by then. */
  private lingerIfIdle(): void {
    if (this.channels.size > 0 || !this.socket || this.linger) return;
    this.linger = setTimeout(() => {
      this.linger = null;
      if (this.channels.size === 0) this.drop();
    }, LINGER_MS);
    (this.linger as { unref?: () => void }).unref?.();
  }

  private receive(data: unknown): void {
    let msg: unknown;
    try {
      msg = JSON.parse(typeof data === 'string' ? data : new TextDecoder().decode(data as ArrayBuffer));
    } catch {
      return;
    }
    const error = parseError(msg);
    if (error) {
      // Without a channel it is about a frame, not a subscription: nothing to retry.
      // With one, the server no longer follows that channel for this socket.
      const entry = error.channel === undefined ? undefined : this.channels.get(error.channel);
      if (!entry) return;
      this.channels.delete(error.channel!);
      for (const sink of entry.sinks) sink.failed({ reason: 'refused', code: error.code, message: error.message });
      return;
    }
    const state = parseState(msg);
    if (!state) return;
    const entry = this.channels.get(state.channel);
    if (!entry) return;
    if (!entry.latest || state.version > entry.latest.version) entry.latest = state;
    for (const sink of [...entry.sinks]) sink.state(state);
  }

  private send(frame: object): void {
    if (this.socket && this.isOpen && this.socket.readyState === OPEN) this.socket.send(JSON.stringify(frame));
  }

  private drop(): void {
    if (this.linger) {
      clearTimeout(this.linger);
      this.linger = null;
    }
    const socket = this.socket;
    this.socket = null;
    this.isOpen = false;
    if (!socket) return;
    socket.onopen = null;
    socket.onmessage = null;
    socket.onclose = null;
    socket.onerror = () => {};
    try {
      socket.close(1000, 'done');
    } catch {}
  }
}
