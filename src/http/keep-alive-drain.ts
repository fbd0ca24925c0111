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
  const inFlight = new Set<ServerResponse>();
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
      for (const res of inFlight) closeAfter(res);
      inFlight.clear();
      server.closeIdleConnections();
    },
  };
}
