/**
 * The peer of bench/live/real-channels.ts: a plain Socket.IO 4 server (WebSocket transport only,
 * no compression) with one HTTP route, as a small app would wire a state change to its clients:
 * `POST /emit` with a JSON body `{room, event}` parses it, does `io.to(room).emit('ev', event)` and
 * answers 200 `{"ok":true}`. A client joins its room by emitting `sub` with the room name and an ack
 * callback (as in socketio-server.ts). Prints `listening on http://host:port` when ready.
 * Env: BENCH_SIO_PORT (0 = any), BENCH_SIO_HOST (127.0.0.1).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server } from 'socket.io';

const httpServer = http.createServer((req, res) => {
  if (req.method !== 'POST' || req.url !== '/emit') return void res.writeHead(404).end();
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    let body: { room?: unknown; event?: unknown };
    try {
      body = JSON.parse(Buffer.concat(chunks).toString()) as typeof body;
    } catch {
      return void res.writeHead(400).end();
    }
    if (typeof body.room !== 'string' || body.room.length > 200) return void res.writeHead(400).end();
    io.to(body.room).emit('ev', body.event);
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
  });
});
const io = new Server(httpServer, {
  transports: ['websocket'],
  perMessageDeflate: false,
  httpCompression: false,
  serveClient: false,
  cors: { origin: '*' },
});

io.on('connection', (socket) => {
  socket.on('sub', (room: unknown, ack: unknown) => {
    if (typeof room !== 'string' || room.length > 200) {
      if (typeof ack === 'function') ack({ ok: false });
      return;
    }
    void socket.join(room);
    if (typeof ack === 'function') ack({ ok: true });
  });
});

const host = process.env.BENCH_SIO_HOST ?? '127.0.0.1';
await new Promise<void>((resolve) => httpServer.listen(Number(process.env.BENCH_SIO_PORT ?? 0), host, resolve));
process.stdout.write(`listening on http://${host}:${(httpServer.address() as AddressInfo).port}\n`);
process.on('SIGTERM', () => {
  io.disconnectSockets(true);
  io.close(() => process.exit(0));
  setTimeout(() => process.exit(0), 2000).unref();
});
