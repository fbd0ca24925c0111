import { SQLite } from '../../../src/store/sqlite-driver.js';
import pg from 'pg';

/**
 * Every stored row, read straight from the database beside the node, so the
 * fuzzer can show that a refused request wrote nothing: the rows before and
 * after a 4xx answer must be the same.
 *
 * Left out, each because the product writes it on purpose for a refused or
 * unrelated request, or from a timer:
 */
const IGNORED: Record<string, '*' | string[]> = {
  // Refusals are kept for the audit (failed sign-ins, refused approvals).
  audit_log: '*',
  // A session's channel version is taken by the counts publisher after a commit, coalesced and a
  // little later (checkin-live.ts): a scan answered before may move it during a later request.
  event_sessions: ['version'],
  // Failed sign-ins are counted per account: that is the back-off.
  sign_in_backoff: '*',
  // Stamped on each use of a key, whatever the route then answers.
  api_keys: ['last_used_at'],
  // RFC 8628: a token poll answered authorization_pending / slow_down is counted (that is how slow_down works).
  login_requests: ['last_poll_at', 'interval_s'],
  // The dispatcher's timer claims and retries deliveries in the background.
  webhook_deliveries: ['status', 'attempts', 'next_attempt_at', 'claimed_until', 'claim_token', 'last_status', 'last_error', 'delivered_at'],
  // Bookkeeping of the migrator, not data.
  kysely_migration: '*',
  kysely_migration_lock: '*',
};

/** Sorted JSON lines of each table's rows. */
export type Snapshot = Map<string, string[]>;

export interface StoreReader {
  snapshot(): Promise<Snapshot>;
  /** SQLite `PRAGMA integrity_check` (and foreign_key_check); Postgres: every table readable. */
  integrity(): Promise<string>;
  close(): Promise<void>;
}

function canonical(table: string, rows: Record<string, unknown>[]): string[] {
  const ignored = IGNORED[table];
  return rows
    .map((r) => {
      const kept = Object.keys(r)
        .filter((k) => !(Array.isArray(ignored) && ignored.includes(k)))
        .sort()
        .map((k) => [k, r[k] instanceof Buffer ? (r[k] as Buffer).toString('base64') : typeof r[k] === 'bigint' ? String(r[k]) : r[k]]);
      return JSON.stringify(kept);
    })
    .sort();
}

export function sqliteReader(file: string): StoreReader {
  const db = new SQLite(file, { readonly: true, fileMustExist: true });
  db.defaultSafeIntegers(true);
  const tables = () =>
    (db.prepare(`select name from sqlite_master where type = 'table' and name not like 'sqlite_%'`).all() as { name: string }[])
      .map((t) => t.name)
      .filter((t) => IGNORED[t] !== '*');
  return {
    async snapshot() {
      const out: Snapshot = new Map();
      // One read transaction: a consistent view of every table.
      db.transaction(() => {
        for (const t of tables()) out.set(t, canonical(t, db.prepare(`select * from "${t}"`).all() as Record<string, unknown>[]));
      })();
      return out;
    },
    async integrity() {
      const ok = (db.prepare('pragma integrity_check').all() as { integrity_check: string }[]).map((r) => r.integrity_check).join('; ');
      const fk = db.prepare('pragma foreign_key_check').all();
      return fk.length ? `${ok}; foreign key violations: ${JSON.stringify(fk, (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v))}` : ok;
    },
    async close() {
      db.close();
    },
  };
}

export async function postgresReader(url: string): Promise<StoreReader> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const tables = async () =>
    (await client.query<{ table_name: string }>(`select table_name from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE'`)).rows
      .map((r) => r.table_name)
      .filter((t) => IGNORED[t] !== '*');
  return {
    async snapshot() {
      const names = await tables();
      // One statement: a consistent view of every table, in one round trip.
      const select = names.map((t, i) => `(select coalesce(json_agg(x), '[]'::json) from "${t}" x) as t${i}`).join(', ');
      const row = (await client.query<Record<string, Record<string, unknown>[]>>(`select ${select}`)).rows[0]!;
      return new Map(names.map((t, i) => [t, canonical(t, row[`t${i}`]!)]));
    },
    async integrity() {
      for (const t of await tables()) await client.query(`select count(*) from "${t}"`);
      return 'ok';
    },
    async close() {
      await client.end();
    },
  };
}

/** What changed between two snapshots, table by table (empty when nothing did). */
export function snapshotDiff(before: Snapshot, after: Snapshot): string {
  const out: string[] = [];
  for (const table of new Set([...before.keys(), ...after.keys()])) {
    const a = new Set(before.get(table) ?? []);
    const b = new Set(after.get(table) ?? []);
    const gone = [...a].filter((r) => !b.has(r));
    const added = [...b].filter((r) => !a.has(r));
    if (gone.length || added.length) out.push(`${table}:\n${gone.map((r) => `  - ${r.slice(0, 400)}`).join('\n')}\n${added.map((r) => `  + ${r.slice(0, 400)}`).join('\n')}`);
  }
  return out.join('\n');
}
