/**
 * The peer the live bench compares against: a plain Socket.IO 4 server,
 * WebSocket transport only, one room per subscriber. A client emits
 * `sub` with its room name and an ack callback; the server joins the room and
 * acks. Events go out with `io.to(room).emit('ev', {channel, version, type, data})`,
 * the same payload scanpass sends. Same IPC commands as server.ts.
 * Env: BENCH_SIO_PORT (0 = any), BENCH_SIO_HOST (127.0.0.1).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server } from 'socket.io';
import { serveCommands, type ServerMessage } from './common.js';

const httpServer = http.createServer((_req, res) => {
  res.writeHead(404).end();
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
const port = (httpServer.address() as AddressInfo).port;

serveCommands({
  stats: () => ({ sockets: io.engine.clientsCount, rooms: io.of('/').adapter.rooms.size }),
  publish: (channel, version, data) => {
    io.to(channel).emit('ev', { channel, version, type: 'tick', data });
  },
  stop: async () => {
    io.disconnectSockets(true);
    await new Promise<void>((resolve) => io.close(() => resolve()));
  },
});
process.send?.({ type: 'ready', url: `http://${host}:${port}`, pid: process.pid } satisfies ServerMessage);
