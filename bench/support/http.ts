/**
 * The benches' plain HTTP client for set-up and paced requests: keep-alive
 * sockets, the answer's status and body. A body that is not a string goes as
 * JSON; a request without a body carries no content type (Fastify refuses an
 * empty JSON body).
 */
import http from 'node:http';

const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });

/** Ends the keep-alive sockets, so the bench process can exit. */
export const closeHttp = () => agent.destroy();

/** One request on a keep-alive socket; `headers` may name another content type for a string body. */
export function request(url: string, method: string, pathName: string, headers: Record<string, string>, body?: unknown): Promise<{ status: number; body: string }> {
  const payload = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
  const bodyHeaders = payload === undefined ? {} : { 'content-type': 'application/json', ...headers, 'content-length': Buffer.byteLength(payload) };
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const req = http.request({ agent, host: u.hostname, port: u.port, method, path: pathName, headers: { ...headers, ...bodyHeaders } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(payload);
  });
}

/** A request that must answer `expect`; its JSON body. */
export async function api(url: string, auth: Record<string, string>, method: string, p: string, body?: unknown, expect = 200) {
  const r = await request(url, method, p, auth, body);
  if (r.status !== expect) throw new Error(`${method} ${p}: ${r.status} ${r.body.slice(0, 500)}`);
  return JSON.parse(r.body) as Record<string, unknown>;
}
