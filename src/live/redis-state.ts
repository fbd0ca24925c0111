import type { Redis } from 'ioredis';

/**
 * Follows whether every one of `connections` is ready and calls `onChange`
 * once per change (and once for the first verdict), never per failed
 * reconnect attempt: ioredis reports an error every retry, which during a
 * 10 s outage was hundreds of log lines per node. Returns `stop`, after which
 * nothing is reported (a deliberate close is not an outage).
 */
export function watchRedisState(connections: Redis[], onChange: (up: boolean, reason?: string) => void): () => void {
  let up: boolean | undefined;
  let stopped = false;
  let reason = 'connection closed';
  const set = (next: boolean) => {
    if (stopped || next === up) return;
    up = next;
    onChange(next, next ? undefined : reason);
  };
  for (const c of connections) {
    c.on('ready', () => {
      if (connections.every((x) => x.status === 'ready')) set(true);
    });
    c.on('error', (err: Error) => {
      reason = err.message || (err as { code?: string }).code || String(err);
      set(false);
    });
    c.on('close', () => set(false));
  }
  return () => {
    stopped = true;
  };
}
