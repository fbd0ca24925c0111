/**
 * Where did the heap grow? Compares two V8 heap snapshots (.heapsnapshot, as
 * written by `BENCH_HEAPSNAPSHOT=1 npm run bench:live`) by constructor / node
 * name: count and shallow size of each, sorted by growth, per subscriber.
 *
 *   node --import tsx bench/live/heap-diff.ts before.heapsnapshot after.heapsnapshot [subscribers] [top]
 */
import fs from 'node:fs';

interface Snapshot {
  snapshot: { meta: { node_fields: string[]; node_types: [string[], ...unknown[]] } };
  nodes: number[];
  strings: string[];
}

function summarize(file: string): Map<string, { count: number; size: number }> {
  const snap = JSON.parse(fs.readFileSync(file, 'utf8')) as Snapshot;
  const fields = snap.snapshot.meta.node_fields;
  const types = snap.snapshot.meta.node_types[0];
  const stride = fields.length;
  const iType = fields.indexOf('type');
  const iName = fields.indexOf('name');
  const iSize = fields.indexOf('self_size');
  const out = new Map<string, { count: number; size: number }>();
  const { nodes, strings } = snap;
  for (let i = 0; i < nodes.length; i += stride) {
    const type = types[nodes[i + iType]!]!;
    let name = strings[nodes[i + iName]!] ?? '?';
    if (type === 'string' || type === 'concatenated string' || type === 'sliced string') name = '(string)';
    else if (type === 'code') name = '(code)';
    else if (type === 'number') name = '(heap number)';
    else if (type === 'hidden' || type === 'array' || type === 'native') name = `(${type}) ${name.slice(0, 60)}`;
    else name = `${name.slice(0, 80)}`;
    const key = type === 'object' || type === 'closure' ? `${type === 'closure' ? 'closure ' : ''}${name}` : name;
    const e = out.get(key) ?? { count: 0, size: 0 };
    e.count++;
    e.size += nodes[i + iSize]!;
    out.set(key, e);
  }
  return out;
}

const [beforeFile, afterFile, subsArg, topArg] = process.argv.slice(2);
if (!beforeFile || !afterFile) {
  console.error('usage: heap-diff.ts before.heapsnapshot after.heapsnapshot [subscribers] [top]');
  process.exit(2);
}
const subs = Number(subsArg ?? 1) || 1;
const top = Number(topArg ?? 40) || 40;
const a = summarize(beforeFile);
const b = summarize(afterFile);
const rows: { key: string; dCount: number; dSize: number }[] = [];
for (const [key, e] of b) {
  const p = a.get(key) ?? { count: 0, size: 0 };
  rows.push({ key, dCount: e.count - p.count, dSize: e.size - p.size });
}
rows.sort((x, y) => y.dSize - x.dSize);
const total = rows.reduce((s, r) => s + r.dSize, 0);
console.log(`heap growth ${(total / 1024).toFixed(0)} KB total, ${(total / subs).toFixed(0)} B per subscriber (${subs})`);
console.log('bytes/sub  objs/sub  what');
for (const r of rows.slice(0, top)) {
  console.log(`${(r.dSize / subs).toFixed(0).padStart(9)}  ${(r.dCount / subs).toFixed(2).padStart(8)}  ${r.key}`);
}
