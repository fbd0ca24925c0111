/**
 * Closed-loop HTTP load with autocannon (not the project's own client): a
 * fixed number of keep-alive connections, each sending its next request as
 * soon as the last is answered, every request with its own body. Latency is
 * kept per request at sub-millisecond resolution (autocannon's histogram
 * rounds to whole milliseconds, too coarse for a 1 ms route).
 */
import autocannon from 'autocannon';

export interface LoadOptions {
  url: string;
  path: string;
  connections: number;
  /** Requests in all; request i gets body(i). */
  amount?: number;
  /** Or as many as fit in this many seconds. */
  seconds?: number;
  /** The body's type: JSON unless said. */
  contentType?: string;
  headers?: Record<string, string>;
  body: (i: number) => string;
  /** Whether an answer is the one the bench expects (a check-in's "result":"ok", say). */
  isOk: (status: number, body: string) => boolean;
  /** Told of the first few unexpected answers. */
  onUnexpected?: (status: number, body: string) => void;
}

export interface LoadResult {
  requests: number;
  ok: number;
  /** Answers that were not ok, and connection errors or timeouts. */
  failed: number;
  seconds: number;
  okPerSecond: number;
  /** Every answered request's time, in ms, unsorted. */
  latenciesMs: number[];
  /** When each ok answer came, in seconds from the start: shows a rate that sags as a run goes on. */
  okAtSeconds: number[];
}

export async function runLoad(o: LoadOptions): Promise<LoadResult> {
  let next = 0;
  let ok = 0;
  let unexpected = 0;
  const latenciesMs: number[] = [];
  const okAtSeconds: number[] = [];
  const started = performance.now();
  const instance = autocannon({
    url: o.url,
    connections: o.connections,
    ...(o.amount !== undefined ? { amount: o.amount } : { duration: o.seconds ?? 10 }),
    timeout: 30,
    requests: [
      {
        method: 'POST',
        path: o.path,
        headers: { 'content-type': o.contentType ?? 'application/json', ...o.headers },
        setupRequest: (req) => ({ ...req, body: o.body(next++) }),
        onResponse: (status, body) => {
          if (o.isOk(status, body)) {
            ok++;
            okAtSeconds.push((performance.now() - started) / 1000);
          }
          else if (unexpected++ < 3) o.onUnexpected?.(status, body);
        },
      },
    ],
  });
  // The tracker emits (client, status, bytes, ms); the published types leave out the client.
  let lastAnswer = started;
  (instance as unknown as { on(e: 'response', f: (client: unknown, status: number, bytes: number, ms: number) => void): void }).on('response', (_c, _s, _b, ms) => {
    latenciesMs.push(ms);
    lastAnswer = performance.now();
  });
  const result = await instance;
  // Until the last answer: autocannon notices the end only on its next once-a-second tick.
  const seconds = (lastAnswer - started) / 1000;
  return { requests: latenciesMs.length, ok, failed: latenciesMs.length - ok + result.errors + result.timeouts, seconds, okPerSecond: ok / seconds, latenciesMs, okAtSeconds };
}
