import type { Clock } from '../domain/clock.js';
import { AppError } from '../domain/errors.js';
import { randomToken, type Random } from '../domain/random.js';
import type { AuditLog } from '../store/audit-log.js';
import type { DeliveryStatus, WebhookDelivery, WebhookEndpoint } from '../domain/webhook-delivery.js';
import type { WebhookDeliveriesRepo } from '../store/webhook-deliveries.js';
import type { WebhookEndpointsRepo } from '../store/webhook-endpoints.js';
import { newDeliveryId, PING } from './webhook-outbox.js';
import { ownerIdField, webhookOwner, type WebhookOwnerKind } from './webhook-owner.js';
import { requirePublicHost } from './webhook-target.js';

export interface WebhookServiceDeps {
  endpoints: WebhookEndpointsRepo;
  deliveries: WebhookDeliveriesRepo;
  audit: AuditLog;
  clock: Clock;
  random: Random;
  /** SCANPASS_WEBHOOK_ALLOW_PRIVATE: accept loopback and private targets (labs, tests). */
  allowPrivate: boolean;
}

const WEBHOOK_SECRET_PREFIX = 'whsec_';

/** The endpoint as the API shows it: the owner's id first, as `<kind>_id` (`event_id`). */
const webhookView = (kind: WebhookOwnerKind, id: string, w: WebhookEndpoint) => ({
  [ownerIdField(kind)]: id,
  url: w.url,
  enabled: w.enabled,
  secret: w.secret,
  created_at: w.createdAt,
  updated_at: w.updatedAt,
});

const deliveryView = (d: WebhookDelivery) => ({
  id: d.id,
  type: d.kind,
  status: d.status,
  attempts: d.attempts,
  next_attempt_at: d.status === 'pending' ? d.nextAttemptAt : null,
  last_status: d.lastStatus,
  last_error: d.lastError,
  created_at: d.createdAt,
  delivered_at: d.deliveredAt,
  data: JSON.parse(d.payload) as Record<string, unknown>,
});

/**
 * An absolute http(s) URL, without its fragment; anything else is refused with
 * a stable code. Unless `allowPrivate`, so is a URL whose host is a loopback,
 * private or reserved address, or localhost (names are checked again on the
 * addresses they resolve to, at each attempt).
 */
function webhookUrl(raw: string, allowPrivate = false): string {
  let u: URL;
  try {
    u = new URL(raw.trim());
  } catch {
    throw new AppError('invalid_webhook_url', 'url must be an absolute http:// or https:// URL');
  }
  if ((u.protocol !== 'http:' && u.protocol !== 'https:') || !u.hostname) throw new AppError('invalid_webhook_url', 'url must be an absolute http:// or https:// URL');
  if (!allowPrivate) requirePublicHost(u);
  u.hash = '';
  return u.toString();
}

/**
 * The organiser's side of an owner's webhook: the endpoint, its secret, its
 * delivery log, a test ping. Every method takes the owner's kind (see
 * webhook-owner.ts) and id; the owner is audited as `<kind>:<id>`.
 */
export class WebhookService {
  constructor(private readonly d: WebhookServiceDeps) {}

  /** Sets the endpoint; a new one, or `rotate_secret`, gets a fresh secret (the old one stops verifying at once). */
  async put(kind: WebhookOwnerKind, by: string, id: string, input: { url: string; enabled?: boolean | undefined; rotate_secret?: boolean | undefined }) {
    const owner = await this.owner(kind, id);
    const url = webhookUrl(input.url, this.d.allowPrivate);
    const now = this.d.clock.now();
    const current = await this.d.endpoints.get(owner);
    const secret = !current || input.rotate_secret ? `${WEBHOOK_SECRET_PREFIX}${randomToken(this.d.random, 24)}` : current.secret;
    const enabled = input.enabled ?? current?.enabled ?? true;
    const row = await this.d.endpoints.put({ owner, url, secret, enabled, createdAt: now, updatedAt: now });
    await this.audit(by, current ? 'webhook_update' : 'webhook_create', owner, { url, enabled, secret_rotated: !!current && !!input.rotate_secret });
    return { created: !current, webhook: webhookView(kind, id, row) };
  }

  async get(kind: WebhookOwnerKind, id: string) {
    return webhookView(kind, id, await this.endpoint(kind, id));
  }

  async remove(kind: WebhookOwnerKind, by: string, id: string) {
    const owner = await this.owner(kind, id);
    if (!(await this.d.endpoints.delete(owner))) throw new AppError('webhook_not_configured', `this ${kind.label} has no webhook`);
    await this.audit(by, 'webhook_delete', owner, {});
    return { [ownerIdField(kind)]: id, deleted: true };
  }

  async deliveries(kind: WebhookOwnerKind, id: string, status: DeliveryStatus | undefined, limit: number) {
    const w = await this.endpoint(kind, id);
    return { deliveries: (await this.d.deliveries.list(w.owner, status, limit)).map(deliveryView) };
  }

  /** Queues a `ping`, sent like any delivery: it shows the endpoint answers and verifies signatures. */
  async ping(kind: WebhookOwnerKind, by: string, id: string) {
    const w = await this.endpoint(kind, id);
    if (!w.enabled) throw new AppError('webhook_disabled', 'this webhook is disabled; enable it first');
    const deliveryId = newDeliveryId(this.d.random);
    const now = this.d.clock.now();
    await this.d.deliveries.insert({ id: deliveryId, owner: w.owner, kind: PING, payload: JSON.stringify({ [ownerIdField(kind)]: id, url: w.url }), createdAt: now });
    await this.audit(by, 'webhook_ping', w.owner, { delivery_id: deliveryId });
    return deliveryView((await this.d.deliveries.get(w.owner, deliveryId))!);
  }

  /** Sends a finished delivery once more, with the same id and body. */
  async redeliver(kind: WebhookOwnerKind, by: string, id: string, deliveryId: string) {
    const { owner } = await this.endpoint(kind, id);
    if (!(await this.d.deliveries.get(owner, deliveryId))) throw new AppError('not_found', 'no such delivery');
    if (!(await this.d.deliveries.redeliver(owner, deliveryId, this.d.clock.now()))) throw new AppError('conflict', 'this delivery is still pending');
    await this.audit(by, 'webhook_redeliver', owner, { delivery_id: deliveryId });
    return deliveryView((await this.d.deliveries.get(owner, deliveryId))!);
  }

  /** The owner key of an existing owner; 404 `not_found` otherwise. */
  private async owner(kind: WebhookOwnerKind, id: string): Promise<string> {
    if (!(await kind.exists(id))) throw new AppError('not_found', `no such ${kind.label}`);
    return webhookOwner(kind, id);
  }

  private async endpoint(kind: WebhookOwnerKind, id: string): Promise<WebhookEndpoint> {
    const w = await this.d.endpoints.get(await this.owner(kind, id));
    if (!w) throw new AppError('webhook_not_configured', `this ${kind.label} has no webhook; PUT /api/v1${kind.path.replace(':id', '{id}')} sets one`);
    return w;
  }

  private async audit(by: string, action: string, owner: string, detail: Record<string, unknown>) {
    await this.d.audit.record({ at: this.d.clock.now(), actorId: by, action, subject: owner, outcome: 'ok', detail });
  }
}
