import type { Server, ServerResponse } from 'node:http';

/**
 * Ends keep-alive connections at shutdown. Node's `server.close()` closes
 * only the connections idle at that moment: one whose request was still
 * running went idle afterwards and then held `close()` until its keep-alive
 * timeout (Fastify's: 72 s), past the force-exit timer, so the bus and the
 * store were never closed. From `drain()` on, every response, in flight or
 * new, carries `connection: close` and its connection ends with it, and
 * connections idle now are closed at once.
 */
export function keepAliveDrain(server: Server): { drain(): void } {
  const inFlight = new InFlight();
  let draining = false;
  const closeAfter = (res: ServerResponse) => {
    if (!res.headersSent) {
      res.setHeader('connection', 'close');
      return;
    }
    // Too late for the header (a stream): close the connection once the response ends and it is idle.
    const closeIdle = () => setImmediate(() => server.closeIdleConnections());
    if (res.writableFinished) closeIdle();
    else res.once('finish', closeIdle);
  };
  server.on('request', (_req, res: ServerResponse) => {
    if (draining) return closeAfter(res);
    inFlight.add(res);
    res.once('close', () => inFlight.delete(res));
  });
  return {
    drain() {
      if (draining) return;
      draining = true;
      for (const res of inFlight.take()) closeAfter(res);
      server.closeIdleConnections();
    },
  };
}

const SLOT = Symbol('keep-alive-drain slot');
type Tracked = ServerResponse & { [SLOT]?: number };

/**
 * The responses in flight, in an array whose slots are overwritten as they
 * end (the last one moves into the freed slot). Not a Set: every response
 * passes through this, and with a Set V8 promoted about 5 KB per request to
 * the old generation (a request and its response, kept through young
 * collections by the Set's discarded hash tables): `bench:checkin` saw about
 * 1 MB promoted per scavenge and 3-18 ms pauses, a Fastify route that waits
 * 5 ms about 2 KB per request with a Set and none with this.
 */
class InFlight {
  private items: Tracked[] = [];

  add(res: Tracked): void {
    res[SLOT] = this.items.length;
    this.items.push(res);
  }

  delete(res: Tracked): void {
    const at = res[SLOT];
    if (at === undefined || this.items[at] !== res) return;
    res[SLOT] = undefined;
    const last = this.items.pop()!;
    if (last === res) return;
    this.items[at] = last;
    last[SLOT] = at;
  }

  /** All of them, and none are tracked any more. */
  take(): ServerResponse[] {
    const all = this.items;
    for (const res of all) res[SLOT] = undefined;
    this.items = [];
    return all;
  }
}
