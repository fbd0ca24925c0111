import type { Kysely } from 'kysely';
import type { Clock } from '../domain/clock.js';
import type { ScannerDevice } from '../domain/event.js';
import type { Database, ScannerDevicesTable } from './schema.js';

/** The name the scanner routes know it by. */
export type DeviceInfo = ScannerDevice;

/** A device as first stored, with the hash of its token (shown once, never kept). */
export interface NewDevice extends ScannerDevice {
  tokenHash: string;
}

const INFO = ['id', 'event_id', 'session_id', 'name', 'created_by', 'created_at', 'revoked_at'] as const;

const toDevice = (r: Omit<ScannerDevicesTable, 'token_hash'>): ScannerDevice => ({
  id: r.id,
  eventId: r.event_id,
  sessionId: r.session_id,
  name: r.name,
  createdBy: r.created_by,
  createdAt: Number(r.created_at),
  revokedAt: r.revoked_at === null ? null : Number(r.revoked_at),
});

/** How long a device found by its token is trusted without asking the store again. */
const TOKEN_TTL_MS = 2000;
const TOKEN_CACHE_MAX = 10_000;

/** Provisioned scanners: the token is shown once; only its hash is kept. */
export class ScannerDevicesRepo {
  private readonly byToken = new Map<string, { device: DeviceInfo; until: number }>();

  constructor(
    private readonly db: Kysely<Database>,
    private readonly clock: Clock,
  ) {}

  async insert(d: NewDevice): Promise<void> {
    await this.db
      .insertInto('scanner_devices')
      .values({ id: d.id, event_id: d.eventId, session_id: d.sessionId, name: d.name, token_hash: d.tokenHash, created_by: d.createdBy, created_at: d.createdAt, revoked_at: d.revokedAt })
      .execute();
  }

  /**
   * The device with this token hash, revoked or not (the caller tells the two
   * apart). Every scan asks, so a found device is kept for TOKEN_TTL_MS:
   * `revoke` on this node drops it at once; a revoke on another node takes
   * effect here within that time.
   */
  async byTokenHash(hash: string): Promise<DeviceInfo | undefined> {
    const now = this.clock.now();
    const hit = this.byToken.get(hash);
    if (hit && hit.until > now) return hit.device;
    const r = await this.db.selectFrom('scanner_devices').select(INFO).where('token_hash', '=', hash).executeTakeFirst();
    const device = r && toDevice(r);
    if (device) {
      if (this.byToken.size >= TOKEN_CACHE_MAX) this.byToken.clear();
      this.byToken.set(hash, { device, until: now + TOKEN_TTL_MS });
    }
    return device;
  }

  async byId(id: string): Promise<DeviceInfo | undefined> {
    const r = await this.db.selectFrom('scanner_devices').select(INFO).where('id', '=', id).executeTakeFirst();
    return r && toDevice(r);
  }

  async listForEvent(eventId: string): Promise<DeviceInfo[]> {
    const rows = await this.db.selectFrom('scanner_devices').select(INFO).where('event_id', '=', eventId).orderBy('created_at').orderBy('id').execute();
    return rows.map(toDevice);
  }

  /** Returns false when there is no such unrevoked device. */
  async revoke(id: string, now: number): Promise<boolean> {
    const r = await this.db.updateTable('scanner_devices').set({ revoked_at: now }).where('id', '=', id).where('revoked_at', 'is', null).executeTakeFirst();
    for (const [hash, hit] of this.byToken) if (hit.device.id === id) this.byToken.delete(hash);
    return Number(r.numUpdatedRows) > 0;
  }
}
