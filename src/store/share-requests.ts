import type { Kysely } from 'kysely';
import type { SharedFields, ShareRequest, ShareStatus } from '../domain/share-request.js';
import type { Database, ShareRequestsTable } from './schema.js';
import { updateIfVersion } from './versioned-update.js';

export interface StoredShareRequest extends ShareRequest {
  /** The user code, 8 letters without the dash. */
  code: string;
}

const toDomain = (r: ShareRequestsTable): StoredShareRequest => ({
  id: r.id,
  code: r.code,
  ownerId: r.owner_id,
  ownerName: r.owner_name,
  title: r.title,
  fields: r.payload ? (JSON.parse(r.payload) as SharedFields) : null,
  status: r.status as ShareStatus,
  version: Number(r.version),
  createdAt: Number(r.created_at),
  expiresAt: Number(r.expires_at),
  requester: r.requester_name !== null ? { id: r.requester_id ?? '', name: r.requester_name, email: r.requester_email ?? '' } : null,
  requestedAt: r.requested_at === null ? null : Number(r.requested_at),
  decidedAt: r.decided_at === null ? null : Number(r.decided_at),
});

/** The columns a state transition may change. */
const stateColumns = (r: ShareRequest) => ({
  payload: r.fields ? JSON.stringify(r.fields) : null,
  status: r.status,
  version: r.version,
  requester_id: r.requester?.id ?? null,
  requester_name: r.requester?.name ?? null,
  requester_email: r.requester?.email ?? null,
  requested_at: r.requestedAt,
  decided_at: r.decidedAt,
});

export class ShareRequestsRepo {
  constructor(private readonly db: Kysely<Database>) {}

  /** Returns false when the code collides; the caller draws again. */
  async insert(r: StoredShareRequest): Promise<boolean> {
    const res = await this.db
      .insertInto('share_requests')
      .values({
        id: r.id,
        code: r.code,
        owner_id: r.ownerId,
        owner_name: r.ownerName,
        title: r.title,
        created_at: r.createdAt,
        expires_at: r.expiresAt,
        ...stateColumns(r),
      })
      .onConflict((oc) => oc.doNothing())
      .executeTakeFirst();
    return Number(res.numInsertedOrUpdatedRows ?? 0) > 0;
  }

  async byId(id: string): Promise<StoredShareRequest | undefined> {
    const r = await this.db.selectFrom('share_requests').selectAll().where('id', '=', id).executeTakeFirst();
    return r && toDomain(r);
  }

  async byCode(code: string): Promise<StoredShareRequest | undefined> {
    const r = await this.db.selectFrom('share_requests').selectAll().where('code', '=', code).executeTakeFirst();
    return r && toDomain(r);
  }

  /** Compare-and-set: writes `next` only if the row is still at `expectedVersion`. */
  update(next: ShareRequest, expectedVersion: number): Promise<boolean> {
    return updateIfVersion(this.db, 'share_requests', next.id, expectedVersion, stateColumns(next));
  }

  /** Ids of undecided shares whose time is up. */
  async dueForExpiry(now: number, limit: number): Promise<string[]> {
    const rows = await this.db
      .selectFrom('share_requests')
      .select('id')
      .where('status', 'in', ['open', 'requested'])
      .where('expires_at', '<=', now)
      .limit(limit)
      .execute();
    return rows.map((r) => r.id);
  }

  /** Deletes shares whose time ended before `before`. */
  async purge(before: number): Promise<number> {
    const res = await this.db.deleteFrom('share_requests').where('expires_at', '<', before).executeTakeFirst();
    return Number(res.numDeletedRows);
  }
}
