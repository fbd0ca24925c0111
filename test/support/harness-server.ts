/**
 * A node in its own process for the multi-node, crash and restart suites:
 * configuration from SCANPASS_* variables, plus the counter test channel.
 * Prints one JSON line `{"url": ...}` once listening.
 */
import pino from 'pino';
import { loadConfig } from '../../src/config.js';
import { startNode } from '../../src/node.js';
import { counterChannel } from './counter-channel.js';

const config = loadConfig({ argv: process.argv.slice(2) });
const node = await startNode(config, { logger: pino({ level: config.logLevel }), extend: counterChannel, announce: () => {} });
process.stdout.write(`${JSON.stringify({ url: node.url, pid: process.pid })}\n`);
const stop = () => node.close().then(() => process.exit(0), () => process.exit(1));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
