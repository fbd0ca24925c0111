/**
 * Preloaded into a bench server (`node --expose-gc --import bench/live/mem-probe.mjs ...`) so the
 * orchestrator can read its memory without any product code for it: on SIGUSR2 it runs three full
 * GCs (150 ms apart), then writes VmRSS (/proc/self/status) and V8's heap figures as JSON to
 * $BENCH_MEM_PROBE_FILE (written to a temp name and renamed, so a reader never sees half a file).
 * Used by bench/live/real-channels.ts for both the scanpass product and the Socket.IO peer. With
 * $BENCH_MEM_PROBE_HEAPSNAPSHOT_DIR set it also writes a heap snapshot there after the reading.
 */
import fs from 'node:fs';
import { setTimeout } from 'node:timers';
import v8 from 'node:v8';

const file = process.env.BENCH_MEM_PROBE_FILE;
if (file) {
  process.on('SIGUSR2', () => {
    const gc = globalThis.gc;
    let rounds = 0;
    const step = () => {
      if (gc) gc();
      if (++rounds < 3) return void setTimeout(step, 150);
      const status = fs.readFileSync('/proc/self/status', 'utf8');
      const m = /VmRSS:\s+(\d+)\s+kB/.exec(status);
      const mu = process.memoryUsage();
      const kb = (n) => Math.round(n / 1024);
      const reading = { rssKB: m ? Number(m[1]) : kb(mu.rss), heapUsedKB: kb(mu.heapUsed), heapTotalKB: kb(mu.heapTotal), externalKB: kb(mu.external), arrayBuffersKB: kb(mu.arrayBuffers), gc: Boolean(gc) };
      const dir = process.env.BENCH_MEM_PROBE_HEAPSNAPSHOT_DIR;
      if (dir) reading.heapSnapshot = v8.writeHeapSnapshot(`${dir}/bench-${process.pid}-${Date.now()}.heapsnapshot`);
      fs.writeFileSync(`${file}.tmp`, JSON.stringify(reading));
      fs.renameSync(`${file}.tmp`, file);
    };
    step();
  });
}
