#!/usr/bin/env node
// First, before the product's modules load: keeps the start from growing the young generation (start-heap.ts).
// The rest is imported dynamically so that it loads after that (static imports would all be read and parsed first).
import { startDone } from './start-heap.js';

// `npm start` and `node dist/server/main.js [flags]`: run a node.
const { runCli } = await import('./cli.js');
const code = await runCli(process.argv.slice(2));
startDone();
if (code !== 0) process.exit(code);
