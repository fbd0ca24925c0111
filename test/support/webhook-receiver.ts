import http from 'node:http';
import type { AddressInfo } from 'node:net';

interface ReceivedWebhook {
  path: string;
  headers: http.IncomingHttpHeaders;
  /** The raw body, exactly as received (what the signature covers). */
  body: string;
  json: { id: string; type: string; created_at: number; data: Record<string, unknown> };
  at: number;
}

/** Answers a request to `path`: the status to send (the default is 200). */
type Responder = (w: ReceivedWebhook, countForPath: number) => number | Promise<number>;

/**
 * A real HTTP receiver on a free port of 127.0.0.1 that records every POST.
 * Each test uses its own path (`url('/name')`) and may say how that path answers.
 */
export async function startWebhookReceiver() {
  const received: ReceivedWebhook[] = [];
  const responders = new Map<string, Responder>();
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const path = (req.url ?? '/').split('?')[0]!;
      let json: ReceivedWebhook['json'];
      try {
        json = JSON.parse(body) as ReceivedWebhook['json'];
      } catch {
        res.writeHead(400).end('not json');
        return;
      }
      const w: ReceivedWebhook = { path, headers: req.headers, body, json, at: Date.now() };
      received.push(w);
      const count = received.filter((x) => x.path === path).length;
      Promise.resolve((responders.get(path) ?? (() => 200))(w, count)).then(
        (status) => res.writeHead(status, { 'content-type': 'text/plain' }).end(status < 300 ? 'ok' : 'receiver says no'),
        () => res.writeHead(500).end(),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    received,
    url: (path: string) => `http://127.0.0.1:${port}${path}`,
    on: (path: string, responder: Responder) => responders.set(path, responder),
    at: (path: string) => received.filter((w) => w.path === path),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export type WebhookReceiver = Awaited<ReturnType<typeof startWebhookReceiver>>;
