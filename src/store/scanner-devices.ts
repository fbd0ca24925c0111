import type { Kysely } from 'kysely';
import type { Database, ScannerDevicesTable } from './schema.js';

export type DeviceInfo = Omit<ScannerDevicesTable, 'token_hash'>;

const INFO = ['id', 'event_id', 'session_id', 'name', 'created_by', 'created_at', 'revoked_at'] as const;

/** Provisioned scanners: the token is shown once; only its hash is kept. */
export class ScannerDevicesRepo {
  constructor(private readonly db: Kysely<Database>) {}

  async insert(row: ScannerDevicesTable): Promise<void> {
    await this.db.insertInto('scanner_devices').values(row).execute();
  }

  /** The device with this token hash, revoked or not (the caller tells the two apart). */
  byTokenHash(hash: string): Promise<DeviceInfo | undefined> {
    return this.db.selectFrom('scanner_devices').select(INFO).where('token_hash', '=', hash).executeTakeFirst();
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
    return Number(r.numUpdatedRows) > 0;
  }
}
