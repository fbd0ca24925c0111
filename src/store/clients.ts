import type { Kysely } from 'kysely';
import type { Client } from '../domain/client.js';
import type { ClientsTable, Database } from './schema.js';

export type { Client } from '../domain/client.js';

/** A client with what authenticates it: the hash of its secret (null: a public client). */
export interface StoredClient extends Client {
  secretHash: string | null;
}

const toClient = (r: ClientsTable): StoredClient => ({
  client_id: r.client_id,
  name: r.name,
  confidential: r.secret_hash !== null,
  scopes: r.scopes.split(' ').filter(Boolean),
  owner_id: r.owner_id,
  created_at: Number(r.created_at),
  secretHash: r.secret_hash,
});

/** What the API and the CLI show of a client: never its secret hash. */
export const publicClient = ({ secretHash: _hash, ...c }: StoredClient): Client => c;

/** OAuth clients: the applications whose screens ask to sign someone in. */
export class ClientsRepo {
  constructor(private readonly db: Kysely<Database>) {}

  /** Returns false when the client_id is taken. */
  async insert(c: StoredClient): Promise<boolean> {
    const row = { client_id: c.client_id, name: c.name, secret_hash: c.secretHash, scopes: c.scopes.join(' '), owner_id: c.owner_id, created_at: c.created_at, disabled_at: null };
    const res = await this.db.insertInto('clients').values(row).onConflict((oc) => oc.column('client_id').doNothing()).executeTakeFirst();
    return Number(res.numInsertedOrUpdatedRows ?? 0) > 0;
  }

  /** The enabled client with this id, with its secret hash for authentication. */
  async find(clientId: string): Promise<StoredClient | undefined> {
    const r = await this.db.selectFrom('clients').selectAll().where('client_id', '=', clientId).where('disabled_at', 'is', null).executeTakeFirst();
    return r && toClient(r);
  }

  async list(): Promise<Client[]> {
    const rows = await this.db.selectFrom('clients').selectAll().where('disabled_at', 'is', null).orderBy('created_at').execute();
    return rows.map((r) => publicClient(toClient(r)));
  }

  async disable(clientId: string, now: number): Promise<boolean> {
    const res = await this.db.updateTable('clients').set({ disabled_at: now }).where('client_id', '=', clientId).where('disabled_at', 'is', null).executeTakeFirst();
    return Number(res.numUpdatedRows) > 0;
  }
}
