import net from 'node:net';

/**
 * A plain TCP load balancer in front of several nodes, as a deployment would
 * have: round-robin per connection, no sticky sessions. A backend that refuses
 * the connection is skipped, so a killed node drops out at once.
 */
export async function startLoadBalancer(backends: string[]): Promise<{ url: string; setBackends(b: string[]): void; close(): Promise<void> }> {
  let targets = backends.map((b) => new URL(b));
  let next = 0;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    sockets.add(client);
    client.on('close', () => sockets.delete(client));
    client.on('error', () => client.destroy());
    client.pause();
    const tryConnect = (attempt: number) => {
      if (attempt >= targets.length) return client.destroy();
      const t = targets[next++ % targets.length]!;
      const upstream = net.connect(Number(t.port), t.hostname);
      upstream.once('connect', () => {
        sockets.add(upstream);
        upstream.on('close', () => {
          sockets.delete(upstream);
          client.destroy();
        });
        client.on('close', () => upstream.destroy());
        upstream.on('error', () => upstream.destroy());
        client.pipe(upstream);
        upstream.pipe(client);
        client.resume();
      });
      upstream.once('error', () => {
        if (!upstream.readyState.includes('open')) tryConnect(attempt + 1);
      });
    };
    tryConnect(0);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as net.AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    setBackends(b) {
      targets = b.map((x) => new URL(x));
    },
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
