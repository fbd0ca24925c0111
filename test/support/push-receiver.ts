import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request a push service would have received. */
export interface ReceivedPush {
  path: string;
  headers: http.IncomingHttpHeaders;
  /** The raw (encrypted) body. */
  body: Buffer;
}

/**
 * Stands in for a push service (FCM, Mozilla's, Apple's): a plain HTTP
 * server on a free port of 127.0.0.1 that records every request and answers
 * 201 Created, or what `on(path, status)` says (410 Gone, 404, 500), or
 * never (`hang`).
 */
export async function startPushReceiver() {
  const received: ReceivedPush[] = [];
  const answers = new Map<string, number | 'hang'>();
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const path = (req.url ?? '/').split('?')[0]!;
      received.push({ path, headers: req.headers, body: Buffer.concat(chunks) });
      const answer = answers.get(path) ?? 201;
      if (answer !== 'hang') res.writeHead(answer).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    url: (path: string) => `http://127.0.0.1:${port}${path}`,
    on: (path: string, answer: number | 'hang') => answers.set(path, answer),
    at: (path: string) => received.filter((r) => r.path === path),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
