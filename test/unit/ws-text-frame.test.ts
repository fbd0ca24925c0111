import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';
import { textFrame } from '../../src/live/transports/websocket.js';

/**
 * The live transport writes pre-framed bytes straight to the TCP socket; a
 * real ws client must read them as the very text that was framed, at every
 * length boundary of the header (7-bit, 16-bit and 64-bit lengths).
 */
describe('textFrame', () => {
  let wss: WebSocketServer;
  let url: string;

  beforeAll(async () => {
    wss = new WebSocketServer({ port: 0, host: '127.0.0.1', perMessageDeflate: false });
    await new Promise<void>((r) => wss.once('listening', () => r()));
    url = `ws://127.0.0.1:${(wss.address() as AddressInfo).port}`;
    // The client sends a length; the server answers with a frame of that many bytes, multi-byte characters included.
    wss.on('connection', (ws) => {
      ws.on('message', (data) => {
        const raw = (ws as unknown as { _socket: Duplex })._socket;
        raw.write(textFrame(Buffer.from(payloadOf(Number(data.toString())))));
      });
    });
  });
  afterAll(() => new Promise<void>((r) => wss.close(() => r())));

  /** `n` bytes of text, ending in a three-byte character when there is room for one. */
  const payloadOf = (n: number) => (n >= 3 ? 'a'.repeat(n - 3) + '号' : 'a'.repeat(n));

  it.each([0, 1, 125, 126, 127, 65535, 65536, 200_000])('a %i-byte frame arrives whole, as text', async (n) => {
    const client = new WebSocket(url);
    await new Promise((r, j) => client.once('open', r).once('error', j));
    const got = new Promise<{ text: string; isBinary: boolean }>((r) => client.once('message', (d, isBinary) => r({ text: d.toString(), isBinary })));
    client.send(String(n));
    const { text, isBinary } = await got;
    expect(isBinary).toBe(false);
    expect(Buffer.byteLength(text)).toBe(n);
    expect(text).toBe(payloadOf(n));
    client.close();
  });
});
