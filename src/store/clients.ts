import type { Kysely } from 'kysely';
import type { Client } from '../domain/client.js';
import type { ClientsTable, Database } from './schema.js';

export type { Client } from '../domain/client.js';

/** A client with what authenticates it: the hash of its secret (null: a public client). */
export interface StoredClient extends Client {
  secretHash: string | null;
}

/** What may change on a registered client (never its id, secret, owner or creation time). */
export type ClientPatch = Partial<Pick<Client, 'name' | 'scopes' | 'redirect_uris' | 'post_logout_redirect_uris' | 'grant_types' | 'backchannel_logout_uri'>>;

/** A JSON array column; anything else reads as empty rather than failing every read of the client. */
function stringArray(json: string): string[] {
  try {
    const v: unknown = JSON.parse(json);
    return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
  } catch {
    return [];
  }
}

const words = (s: string): string[] => s.split(' ').filter(Boolean);

const toClient = (r: ClientsTable): StoredClient => ({
  client_id: r.client_id,
  name: r.name,
  confidential: r.secret_hash !== null,
  scopes: words(r.scopes),
  owner_id: r.owner_id,
  created_at: Number(r.created_at),
  redirect_uris: stringArray(r.redirect_uris),
  post_logout_redirect_uris: stringArray(r.post_logout_redirect_uris),
  grant_types: words(r.grant_types),
  backchannel_logout_uri: r.backchannel_logout_uri,
  secretHash: r.secret_hash,
});

/** The columns of the fields a patch sets; the fields it leaves out are not touched. */
function columnsOf(p: ClientPatch): Partial<ClientsTable> {
  return {
    ...(p.name !== undefined ? { name: p.name } : {}),
    ...(p.scopes !== undefined ? { scopes: p.scopes.join(' ') } : {}),
    ...(p.redirect_uris !== undefined ? { redirect_uris: JSON.stringify(p.redirect_uris) } : {}),
    ...(p.post_logout_redirect_uris !== undefined ? { post_logout_redirect_uris: JSON.stringify(p.post_logout_redirect_uris) } : {}),
    ...(p.grant_types !== undefined ? { grant_types: p.grant_types.join(' ') } : {}),
    ...(p.backchannel_logout_uri !== undefined ? { backchannel_logout_uri: p.backchannel_logout_uri } : {}),
  };
}

/** What the API and the CLI show of a client: never its secret hash. */
export const publicClient = ({ secretHash: _hash, ...c }: StoredClient): Client => c;

/** OAuth clients: the applications whose screens ask to sign someone in. */
export class ClientsRepo {
  constructor(private readonly db: Kysely<Database>) {}

  /** Returns false when the client_id is taken. */
  async insert(c: StoredClient): Promise<boolean> {
    const row: ClientsTable = {
      client_id: c.client_id,
      name: c.name,
      secret_hash: c.secretHash,
      scopes: c.scopes.join(' '),
      owner_id: c.owner_id,
      created_at: c.created_at,
      disabled_at: null,
      redirect_uris: JSON.stringify(c.redirect_uris),
      post_logout_redirect_uris: JSON.stringify(c.post_logout_redirect_uris),
      grant_types: c.grant_types.join(' '),
      backchannel_logout_uri: c.backchannel_logout_uri,
    };
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

  /** Changes the fields `patch` holds on the enabled client; undefined when there is none. */
  async update(clientId: string, patch: ClientPatch): Promise<StoredClient | undefined> {
    const set = columnsOf(patch);
    if (Object.keys(set).length > 0) {
      await this.db.updateTable('clients').set(set).where('client_id', '=', clientId).where('disabled_at', 'is', null).execute();
    }
    return this.find(clientId);
  }

  async disable(clientId: string, now: number): Promise<boolean> {
    const res = await this.db.updateTable('clients').set({ disabled_at: now }).where('client_id', '=', clientId).where('disabled_at', 'is', null).executeTakeFirst();
    return Number(res.numUpdatedRows) > 0;
  }
}
