import type { Kysely } from 'kysely';
import { createECDH } from 'node:crypto';
import type { Config } from '../config.js';
import type { Clock } from '../domain/clock.js';
import { PushSubscriptionsRepo } from '../store/push-subscriptions.js';
import type { Database } from '../store/schema.js';
import { getOrCreateSecret } from '../store/secrets.js';
import { PushService, type VapidKeys } from './push-service.js';

/**
 * Notifications as a capability any feature uses: Web Push to a browser that
 * subscribed for an owner (`ticket:<id>`), with the server's VAPID key pair,
 * made once and kept in the shared store so every node signs with the same
 * key (a browser subscribed with one key accepts only pushes signed by it).
 * Routes: push-plugin.ts.
 */
export interface Notifications {
  push: PushService;
}

export interface NotificationDeps {
  db: Kysely<Database>;
  clock: Clock;
  onError: (err: unknown, context: string) => void;
}

/** The VAPID `sub` (RFC 8292 §2.1): SCANPASS_PUSH_SUBJECT, else the public URL when it is https on a real host, else mailto: the admin. */
export function pushSubject(config: Pick<Config, 'pushSubject' | 'publicUrl' | 'adminEmail'>): string {
  if (config.pushSubject) return config.pushSubject;
  const u = new URL(config.publicUrl);
  // Push services refuse http: subjects, and Apple's refuses localhost ones.
  return u.protocol === 'https:' && u.hostname !== 'localhost' ? config.publicUrl : `mailto:${config.adminEmail}`;
}

/**
 * A VAPID key pair as web-push's generateVAPIDKeys makes it (P-256; the
 * public key uncompressed, both base64url), without loading web-push at start.
 */
function newVapidKeys(): VapidKeys {
  const ecdh = createECDH('prime256v1');
  ecdh.generateKeys();
  // The private key is 32 bytes; OpenSSL drops leading zero bytes, which the key must keep.
  const priv = ecdh.getPrivateKey();
  return { publicKey: ecdh.getPublicKey().toString('base64url'), privateKey: Buffer.concat([Buffer.alloc(32 - priv.length), priv]).toString('base64url') };
}

export async function createNotifications(config: Config, d: NotificationDeps): Promise<Notifications> {
  const raw = await getOrCreateSecret(d.db, 'push_vapid_keys', () => JSON.stringify(newVapidKeys()), d.clock.now());
  const vapid = JSON.parse(raw) as VapidKeys;
  return {
    push: new PushService({
      subscriptions: new PushSubscriptionsRepo(d.db),
      clock: d.clock,
      vapid,
      subject: pushSubject(config),
      target: { allowPrivate: config.webhookAllowPrivate },
      onError: d.onError,
    }),
  };
}
