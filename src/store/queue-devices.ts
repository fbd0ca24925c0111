import type { Kysely, Selectable } from 'kysely';
import type { Clock } from '../domain/clock.js';
import type { QueueDevice, QueueDeviceKind } from '../domain/queue.js';
import type { Database, QueueDevicesTable } from './schema.js';

const INFO = ['id', 'queue_id', 'name', 'kind', 'created_at', 'revoked_at'] as const;

const toDevice = (r: Omit<Selectable<QueueDevicesTable>, 'token_hash'>): QueueDevice => ({
  id: r.id,
  queueId: r.queue_id,
  name: r.name,
  kind: r.kind as QueueDeviceKind,
  createdAt: Number(r.created_at),
  revokedAt: r.revoked_at === null ? null : Number(r.revoked_at),
});

/** How long a device found by its token is trusted without asking the store again (as scanner devices). */
const TOKEN_TTL_MS = 2000;
const TOKEN_CACHE_MAX = 10_000;

/** A place's display boards and kiosks: the token is shown once; only its hash is kept. */
export class QueueDevicesRepo {
  private readonly byToken = new Map<string, { device: QueueDevice; until: number }>();

  constructor(
    private readonly db: Kysely<Database>,
    private readonly clock: Clock,
  ) {}

  async insert(d: QueueDevice, tokenHash: string): Promise<void> {
    await this.db
      .insertInto('queue_devices')
      .values({ id: d.id, queue_id: d.queueId, name: d.name, kind: d.kind, token_hash: tokenHash, created_at: d.createdAt, revoked_at: d.revokedAt })
      .execute();
  }

  /**
   * The device with this token hash, revoked or not (the caller tells the two
   * apart). A board asks on every read, so a found device is kept for
   * TOKEN_TTL_MS: `revoke` on this node drops it at once; a revoke on another
   * node takes effect here within that time (its live subscriptions end at
   * once on every node through the revocation).
   */
  async byTokenHash(hash: string): Promise<QueueDevice | undefined> {
    const now = this.clock.now();
    const hit = this.byToken.get(hash);
    if (hit && hit.until > now) return hit.device;
    const r = await this.db.selectFrom('queue_devices').select(INFO).where('token_hash', '=', hash).executeTakeFirst();
    const device = r && toDevice(r);
    if (device) {
      if (this.byToken.size >= TOKEN_CACHE_MAX) this.byToken.clear();
      this.byToken.set(hash, { device, until: now + TOKEN_TTL_MS });
    }
    return device;
  }

  async byId(id: string): Promise<QueueDevice | undefined> {
    const r = await this.db.selectFrom('queue_devices').select(INFO).where('id', '=', id).executeTakeFirst();
    return r && toDevice(r);
  }

  async listFor(queueId: string): Promise<QueueDevice[]> {
    const rows = await this.db.selectFrom('queue_devices').select(INFO).where('queue_id', '=', queueId).orderBy('created_at').orderBy('id').execute();
    return rows.map(toDevice);
  }

  /** Returns false when the place has no such unrevoked device. */
  async revoke(queueId: string, id: string, now: number): Promise<boolean> {
    const r = await this.db.updateTable('queue_devices').set({ revoked_at: now }).where('id', '=', id).where('queue_id', '=', queueId).where('revoked_at', 'is', null).executeTakeFirst();
    for (const [hash, hit] of this.byToken) if (hit.device.id === id) this.byToken.delete(hash);
    return Number(r.numUpdatedRows) > 0;
  }
}
