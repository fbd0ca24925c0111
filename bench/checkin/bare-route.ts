/**
 * The check-in path's physical limit on this machine, for bench:checkin to
 * run beside the product: a bare Fastify 5 route that takes the same JSON POST
 * as `POST /api/v1/checkins` and does one better-sqlite3 INSERT per request
 * (WAL, synchronous NORMAL, as scanpass opens its file), then answers a small
 * JSON object. No auth, no decision, no live push, no logging: whatever
 * scanpass does per scan beyond this is its overhead. `GET /sqlite-seconds`
 * says how long the event loop has spent in its INSERTs so far, so the bench
 * can tell this route's HTTP from its SQLite.
 *
 * Run as a child process: `node --import tsx bench/checkin/bare-route.ts <dir>`;
 * prints `listening on <url>` once ready, exits on SIGTERM.
 */
import path from 'node:path';
import Fastify from 'fastify';
// The driver the product loads on this Node (12 on Node 20, the N-API 13 on 22 and later).
import { SQLite } from '../../src/store/sqlite-driver.js';

const dir = process.argv[2];
if (!dir) throw new Error('usage: bare-route.ts <data directory>');

const db = new SQLite(path.join(dir, 'bare.db'));
db.pragma('journal_mode = WAL');
db.pragma('synchronous = NORMAL');
db.exec('CREATE TABLE scans (id INTEGER PRIMARY KEY, at INTEGER NOT NULL, session_id TEXT NOT NULL, nonce TEXT NOT NULL, code TEXT NOT NULL)');
const insert = db.prepare('INSERT INTO scans (at, session_id, nonce, code) VALUES (?, ?, ?, ?)');

let sqliteSeconds = 0;
const app = Fastify({ logger: false });
app.post<{ Body: { code: string; session_id: string; nonce: string } }>('/api/v1/checkins', async (req) => {
  const { code, session_id: sessionId, nonce } = req.body;
  const start = performance.now();
  const r = insert.run(Date.now(), sessionId, nonce, code);
  sqliteSeconds += (performance.now() - start) / 1000;
  return { result: 'ok', id: Number(r.lastInsertRowid) };
});
app.get('/sqlite-seconds', async () => ({ seconds: sqliteSeconds }));

const url = await app.listen({ host: '127.0.0.1', port: 0 });
process.stdout.write(`listening on ${url}\n`);
process.on('SIGTERM', () => void app.close().then(() => (db.close(), process.exit(0))));
