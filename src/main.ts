#!/usr/bin/env node
import { runCli } from './cli.js';

// `npm start` and `node dist/src/main.js [flags]`: run a node.
const code = await runCli(process.argv.slice(2));
if (code !== 0) process.exit(code);
