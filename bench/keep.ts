/**
 * `npm run bench:keep -- <bench | bench/runs/<file>.json>`: makes a full run
 * the committed result of its bench (bench/results/<bench>-latest.* and a
 * line in bench/results/history.jsonl). With a bench name, its newest full
 * run in bench/runs/; with a file, that run. Runs themselves never touch
 * bench/results/ (see bench/support/results.ts).
 */
import path from 'node:path';
import { BENCHES, keepRun, runsHistory, type BenchName } from './support/results.js';

const arg = process.argv[2];
if (!arg) {
  process.stderr.write(`usage: npm run bench:keep -- <${BENCHES.join('|')}> | bench/runs/<file>.json\n`);
  process.exit(2);
}
const history = runsHistory();
const line = (BENCHES as readonly string[]).includes(arg)
  ? history.filter((l) => l.bench === (arg as BenchName) && !l.partial).at(-1)
  : history.find((l) => l.file === path.basename(arg));
if (!line) {
  process.stderr.write(`bench:keep: no ${BENCHES.includes(arg as BenchName) ? `full run of ${arg}` : `run named ${arg}`} in bench/runs/history.jsonl\n`);
  process.exit(1);
}
try {
  const written = keepRun(line);
  process.stdout.write(`kept ${line.file} (${line.date}, load ${line.load ?? '?'}): ${JSON.stringify(line.headline)}\nwrote ${written.map((w) => path.relative(process.cwd(), w)).join(', ')}\n`);
} catch (err) {
  process.stderr.write(`bench:keep: ${(err as Error).message}\n`);
  process.exit(1);
}
