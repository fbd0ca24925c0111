import type { Kysely } from 'kysely';
import type { ClientsTable, Database } from './schema.js';

export interface Client {
  client_id: string;
  name: string;
  /** False for a public client (no secret). */
  confidential: boolean;
  scopes: string[];
  owner_id: string | null;
  created_at: number;
}

export const toClient = (r: ClientsTable): Client => ({
  client_id: r.client_id,
  name: r.name,
  confidential: r.secret_hash !== null,
  scopes: r.scopes.split(' ').filter(Boolean),
  owner_id: r.owner_id,
  created_at: r.created_at,
});

/** OAuth clients: the applications whose screens ask to sign someone in. */
export class ClientsRepo {
  constructor(private readonly db: Kysely<Database>) {}

  /** Returns false when the client_id is taken. */
  async insert(row: ClientsTable): Promise<boolean> {
    const res = await this.db.insertInto('clients').values(row).onConflict((oc) => oc.column('client_id').doNothing()).executeTakeFirst();
    return Number(res.numInsertedOrUpdatedRows ?? 0) > 0;
  }

  /** The enabled client with this id, with its secret hash for authentication. */
  async find(clientId: string): Promise<ClientsTable | undefined> {
    return this.db.selectFrom('clients').selectAll().where('client_id', '=', clientId).where('disabled_at', 'is', null).executeTakeFirst();
  }

  async list(): Promise<Client[]> {
    const rows = await this.db.selectFrom('clients').selectAll().where('disabled_at', 'is', null).orderBy('created_at').execute();
    return rows.map(toClient);
  }

  async disable(clientId: string, now: number): Promise<boolean> {
    const res = await this.db.updateTable('clients').set({ disabled_at: now }).where('client_id', '=', clientId).where('disabled_at', 'is', null).executeTakeFirst();
    return Number(res.numUpdatedRows) > 0;
  }
}
