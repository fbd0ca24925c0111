import { createRequire } from 'node:module';
import type BetterSqlite3 from 'better-sqlite3';

/**
 * The better-sqlite3 build for the Node.js that runs us. Version 12 wraps its
 * objects in node::ObjectWrap, whose destructor on Node 24 aborts the process
 * (`Assertion failed: (env) != nullptr` in RemoveEnvironmentCleanupHook) when
 * V8 collects a statement outside a Node context: half of our node starts on
 * Node 24 died so. Version 13 is built on N-API (one prebuilt binary for every
 * Node ABI) and fixes it, but needs Node 22 and crashes on Node 20. So Node 22
 * and later load 13 (installed as `better-sqlite3-napi`), Node 20 loads 12.
 * Everything that opens SQLite (the store, its checkpoint thread, tests that
 * read a node's file) loads it from here.
 */
const NODE_MAJOR = Number(process.versions.node.split('.')[0]);
const require = createRequire(import.meta.url);

/** Resolved path of the driver's entry module: a worker thread `require`s this. */
export const SQLITE_DRIVER: string = require.resolve(NODE_MAJOR >= 22 ? 'better-sqlite3-napi' : 'better-sqlite3');

/** The driver's Database class (with its `SqliteError`); both versions have the same API. */
export const SQLite = require(SQLITE_DRIVER) as typeof BetterSqlite3;
