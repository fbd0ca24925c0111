import v8 from 'node:v8';
import { PerformanceObserver } from 'node:perf_hooks';

/**
 * Keeps V8's young generation small while a node starts. Loading the modules
 * and building the app keeps most of what it allocates, so the scavenges of
 * the start see a high survival rate and keep doubling the new space, up to
 * 2 x 16 MB that an idle node then holds (about 20 MB of RSS) for what its
 * requests allocate in a fraction of that. Here it may grow to
 * START_NEW_SPACE_MB (fewer scavenges at start than not growing at all),
 * then stops; `startDone()` puts V8's default back once the node listens, so
 * under load the young generation grows as it always did. Imported first by
 * `main.ts`, before the rest of the product is loaded. A `--semi-space-*`
 * flag the operator gave is left alone.
 */
// 4, not 8: with the bundled server the start takes as long either way, and an idle node holds 9 MB less (bench:start).
const START_NEW_SPACE_MB = 4;
const GROWTH_DEFAULT = 2;
const operatorSet = [...process.execArgv, process.env.NODE_OPTIONS ?? ''].some((a) => /semi[-_]space/.test(a));

const newSpaceBytes = () => v8.getHeapSpaceStatistics().find((s) => s.space_name === 'new_space')?.space_size ?? 0;
let capped = false;
const cap = () => {
  if (capped || newSpaceBytes() < START_NEW_SPACE_MB * 1024 * 1024) return;
  capped = true;
  v8.setFlagsFromString('--semi-space-growth-factor=1');
  watch.disconnect();
};
// Told after each GC, the one that may have grown the new space.
const watch = new PerformanceObserver(cap);
if (!operatorSet) watch.observe({ entryTypes: ['gc'] });

/** The start is over: the young generation may grow again (V8's default factor). */
export function startDone(): void {
  if (operatorSet) return;
  watch.disconnect();
  if (capped) v8.setFlagsFromString(`--semi-space-growth-factor=${GROWTH_DEFAULT}`);
}
