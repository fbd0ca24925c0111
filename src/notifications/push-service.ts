import { createHash, createECDH } from 'node:crypto';
import type WebPush from 'web-push';
import type { Clock } from '../domain/clock.js';
import { AppError } from '../domain/errors.js';
import type { PushMessage, PushSubscription } from '../domain/push-subscription.js';
import type { PushSubscriptionsRepo } from '../store/push-subscriptions.js';
import { requirePublicHost } from '../webhooks/webhook-target.js';
import { sendPush, type PushTargetPolicy } from './push-sender.js';

let webPush: Promise<typeof WebPush> | undefined;
/** web-push (message encryption, VAPID headers), loaded by the first notification rather than at start. */
const loadWebPush = () => (webPush ??= import('web-push').then((m) => m.default));

/** The server's VAPID key pair (RFC 8292), base64url: public is the 65-byte P-256 point browsers subscribe with. */
export interface VapidKeys {
  publicKey: string;
  privateKey: string;
}

/** What the browser's `PushSubscription.toJSON()` gives (`expirationTime` is ignored). */
export interface SubscriptionInput {
  endpoint: string;
  keys: { p256dh: string; auth: string };
}

/** How a notification went: sent (a 2xx), nobody subscribed, the subscription is gone (404/410, deleted), or failed (logged). */
export type NotifyResult = 'sent' | 'none' | 'gone' | 'failed';

export interface PushServiceDeps {
  subscriptions: PushSubscriptionsRepo;
  clock: Clock;
  vapid: VapidKeys;
  /** VAPID `sub`: a mailto: or https: contact for the push services. */
  subject: string;
  /** The same rule as webhook targets: SCANPASS_WEBHOOK_ALLOW_PRIVATE lets endpoints be loopback/private, over http. */
  target: PushTargetPolicy;
  /** Logged, never thrown into the caller. */
  onError: (err: unknown, context: string) => void;
  /** Per notification; default 10 s. */
  timeoutMs?: number;
  /** How long the push service keeps an undelivered notification (the phone is off); default 10 min. */
  ttlSeconds?: number;
  /** Subscriptions older than this are purged (a ticket lasts a day); default 2 days. */
  maxAgeMs?: number;
}

const B64URL = /^[A-Za-z0-9_-]+={0,2}$/;
const bytes = (s: string): Buffer | null => (B64URL.test(s) ? Buffer.from(s, 'base64url') : null);
const invalid = (message: string) => new AppError('invalid_request', message);
const PURGE_EVERY_MS = 10 * 60_000;

/**
 * Web Push as a capability: a browser subscription per owner (`ticket:<id>`),
 * and `notify`, which encrypts the message to that browser (RFC 8291,
 * aes128gcm) and signs the request with the server's VAPID key (RFC 8292),
 * both with the `web-push` library, then POSTs it to the push service.
 * `notify` never throws: a push is a courtesy beside the live page.
 */
export class PushService {
  private lastPurge = 0;

  constructor(private readonly d: PushServiceDeps) {}

  /** The application server key browsers subscribe with (`applicationServerKey`), base64url. */
  get publicKey(): string {
    return this.d.vapid.publicKey;
  }

  /** Validates and stores the owner's subscription (replacing any earlier one); 400 `invalid_request` for a bad one. */
  async subscribe(owner: string, s: SubscriptionInput): Promise<void> {
    const sub = this.validate(owner, s);
    await this.d.subscriptions.put(sub);
    await this.purge(sub.createdAt);
  }

  /** Forgets the owner's subscription; true when there was one. */
  async unsubscribe(owner: string): Promise<boolean> {
    return this.d.subscriptions.delete(owner);
  }

  /** Sends `m` to the owner's browser, if it subscribed. Never throws; failures are logged. */
  async notify(owner: string, m: PushMessage): Promise<NotifyResult> {
    try {
      const sub = await this.d.subscriptions.get(owner);
      if (!sub) return 'none';
      const details = (await loadWebPush()).generateRequestDetails(
        { endpoint: sub.endpoint, keys: { p256dh: sub.p256dh, auth: sub.auth } },
        JSON.stringify({ title: m.title, body: m.body, tag: m.tag, url: m.url }),
        {
          vapidDetails: { subject: this.d.subject, publicKey: this.d.vapid.publicKey, privateKey: this.d.vapid.privateKey },
          contentEncoding: 'aes128gcm',
          TTL: this.d.ttlSeconds ?? 600,
          urgency: 'high',
          // The push service keeps only the newest queued message of a topic: one per tag.
          topic: createHash('sha256').update(m.tag).digest('base64url').slice(0, 32),
        },
      );
      const timeoutMs = this.d.timeoutMs ?? 10_000;
      const r = await sendPush({ endpoint: details.endpoint, headers: details.headers as Record<string, string | number>, body: details.body }, timeoutMs, this.d.target);
      if (r.status !== null && r.status >= 200 && r.status < 300) return 'sent';
      if (r.status === 404 || r.status === 410) {
        // The browser unsubscribed or the subscription expired: it will never work again.
        await this.d.subscriptions.delete(owner, sub.endpoint);
        return 'gone';
      }
      this.d.onError(new Error(r.error ?? `HTTP ${r.status}`), `web push to ${owner}`);
      return 'failed';
    } catch (err) {
      this.d.onError(err, `web push to ${owner}`);
      return 'failed';
    }
  }

  private validate(owner: string, s: SubscriptionInput): PushSubscription {
    let url: URL;
    try {
      url = new URL(s.endpoint);
    } catch {
      throw invalid('endpoint must be an absolute https:// URL');
    }
    const allowPrivate = this.d.target.allowPrivate;
    if (!(url.protocol === 'https:' || (allowPrivate && url.protocol === 'http:')) || !url.hostname || url.username || url.password) {
      throw invalid('endpoint must be an absolute https:// URL');
    }
    if (!allowPrivate) {
      try {
        requirePublicHost(url);
      } catch (err) {
        throw invalid(`endpoint: ${(err as Error).message.replace('webhooks may not', 'push endpoints may not')}`);
      }
    }
    const p256dh = bytes(s.keys.p256dh);
    if (!p256dh || p256dh.length !== 65 || p256dh[0] !== 0x04 || !onCurve(p256dh)) throw invalid('keys.p256dh must be a P-256 public key (65 bytes, base64url)');
    const auth = bytes(s.keys.auth);
    if (!auth || auth.length !== 16) throw invalid('keys.auth must be 16 bytes, base64url');
    return { owner, endpoint: url.toString(), p256dh: p256dh.toString('base64url'), auth: auth.toString('base64url'), createdAt: this.d.clock.now() };
  }

  private async purge(now: number): Promise<void> {
    if (now - this.lastPurge < PURGE_EVERY_MS) return;
    this.lastPurge = now;
    try {
      await this.d.subscriptions.purge(now - (this.d.maxAgeMs ?? 2 * 86_400_000));
    } catch (err) {
      this.d.onError(err, 'web push purge');
    }
  }
}

/** Whether `point` is on P-256: a key that is not could never be encrypted to. */
function onCurve(point: Buffer): boolean {
  try {
    const ecdh = createECDH('prime256v1');
    ecdh.setPrivateKey(Buffer.alloc(32, 1));
    ecdh.computeSecret(point);
    return true;
  } catch {
    return false;
  }
}
