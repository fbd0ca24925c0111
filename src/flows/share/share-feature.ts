import type { Kysely } from 'kysely';
import type { Config } from '../../config.js';
import type { Clock } from '../../domain/clock.js';
import type { Random } from '../../domain/random.js';
import type { LiveService } from '../../live/live-service.js';
import type { AuditLog } from '../../store/audit-log.js';
import type { Database } from '../../store/schema.js';
import { ShareRequestsRepo } from '../../store/share-requests.js';
import { ShareService } from './share-service.js';

/** QR share / consent. Routes: share-plugin.ts. */
export interface ShareFeature {
  service: ShareService;
}

export interface ShareFeatureDeps {
  db: Kysely<Database>;
  live: LiveService;
  audit: AuditLog;
  clock: Clock;
  random: Random;
}

export function createShare(config: Config, d: ShareFeatureDeps): ShareFeature {
  return { service: new ShareService({ shares: new ShareRequestsRepo(d.db), live: d.live, audit: d.audit, clock: d.clock, random: d.random }, { ttlSeconds: config.shareTtlSeconds, publicUrl: config.publicUrl }) };
}
