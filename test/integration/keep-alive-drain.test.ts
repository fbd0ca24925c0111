/**
 * keepAliveDrain on a real HTTP server with several responses in flight that
 * end in any order: each one still running at drain() carries
 * `connection: close` and its connection ends; one that ended before is not
 * touched; a request after drain() is answered with `connection: close` too.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { keepAliveDrain } from '../../src/http/keep-alive-drain.js';
import { until } from '../support/until.js';

interface Answer {
  status: number;
  connection: string | undefined;
  /** The server closed the socket after this answer. */
  closed: Promise<void>;
}

describe('keepAliveDrain', () => {
  let server: http.Server | undefined;
  afterEach(async () => {
    server?.closeAllConnections();
    await new Promise((r) => server?.close(r));
  });

  it('closes every connection whose response was in flight, whatever order the others ended in', async () => {
    // Each request waits until the test lets it end, by the id in its path.
    const waiting = new Map<string, () => void>();
    server = http.createServer((req, res) => {
      const id = req.url!.slice(1);
      waiting.set(id, () => res.end(id));
    });
    const drain = keepAliveDrain(server);
    await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
    const { port } = server.address() as AddressInfo;

    // One keep-alive connection per request, so each answer says what happened to its own connection.
    const ask = (id: string) =>
      new Promise<Answer>((resolve, reject) => {
        const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
        const req = http.get({ host: '127.0.0.1', port, path: `/${id}`, agent }, (res) => {
          res.resume();
          const closed = new Promise<void>((done) => res.socket.once('close', () => done()));
          res.on('end', () => resolve({ status: res.statusCode!, connection: res.headers.connection, closed }));
        });
        req.on('error', reject);
      });

    const ids = ['a', 'b', 'c', 'd', 'e'];
    const answers = new Map(ids.map((id) => [id, ask(id)]));
    await until(() => ids.every((id) => waiting.has(id)), 'every request in flight', 5000);

    // Some end before the drain, in an order that moves the others around.
    waiting.get('b')!();
    waiting.get('a')!();
    for (const id of ['a', 'b']) expect((await answers.get(id)!).connection, id).toBe('keep-alive');

    drain.drain();
    for (const id of ['e', 'c', 'd']) waiting.get(id)!();
    for (const id of ['c', 'd', 'e']) {
      const answer = await answers.get(id)!;
      expect(answer.status, id).toBe(200);
      expect(answer.connection, id).toBe('close');
      await answer.closed;
    }

    // New requests after the drain are told too.
    const late = ask('f');
    await until(() => waiting.has('f'), 'the late request', 5000);
    waiting.get('f')!();
    expect((await late).connection).toBe('close');
  });
});
