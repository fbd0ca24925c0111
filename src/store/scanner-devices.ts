import type { Kysely } from 'kysely';
import type { Database, ScannerDevicesTable } from './schema.js';

export type DeviceInfo = Omit<ScannerDevicesTable, 'token_hash'>;

const INFO = ['id', 'event_id', 'session_id', 'name', 'created_by', 'created_at', 'revoked_at'] as const;

/** How long a device found by its token is trusted without asking the store again. */
const TOKEN_TTL_MS = 2000;
const TOKEN_CACHE_MAX = 10_000;

/** Provisioned scanners: the token is shown once; only its hash is kept. */
export class ScannerDevicesRepo {
  private readonly byToken = new Map<string, { device: DeviceInfo; until: number }>();

  constructor(private readonly db: Kysely<Database>) {}

  async insert(row: ScannerDevicesTable): Promise<void> {
    await this.db.insertInto('scanner_devices').values(row).execute();
  }

  /**
   * The device with this token hash, revoked or not (the caller tells the two
   * apart). Every scan asks, so a found device is kept for TOKEN_TTL_MS:
   * `revoke` on this node drops it at once; a revoke on another node takes
   * effect here within that time.
   */
  async byTokenHash(hash: string): Promise<DeviceInfo | undefined> {
    const now = Date.now();
    const hit = this.byToken.get(hash);
    if (hit && hit.until > now) return hit.device;
    const device = await this.db.selectFrom('scanner_devices').select(INFO).where('token_hash', '=', hash).executeTakeFirst();
    if (device) {
      if (this.byToken.size >= TOKEN_CACHE_MAX) this.byToken.clear();
      this.byToken.set(hash, { device, until: now + TOKEN_TTL_MS });
    }
    return device;
  }

  byId(id: string): Promise<DeviceInfo | undefined> {
    return this.db.selectFrom('scanner_devices').select(INFO).where('id', '=', id).executeTakeFirst();
  }

  listForEvent(eventId: string): Promise<DeviceInfo[]> {
    return this.db.selectFrom('scanner_devices').select(INFO).where('event_id', '=', eventId).orderBy('created_at').orderBy('id').execute();
  }

  /** Returns false when there is no such unrevoked device. */
  async revoke(id: string, now: number): Promise<boolean> {
    const r = await this.db.updateTable('scanner_devices').set({ revoked_at: now }).where('id', '=', id).where('revoked_at', 'is', null).executeTakeFirst();
    for (const [hash, hit] of this.byToken) if (hit.device.id === id) this.byToken.delete(hash);
    return Number(r.numUpdatedRows) > 0;
  }
}
