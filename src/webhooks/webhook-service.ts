import type { Clock } from '../domain/clock.js';
import { AppError } from '../domain/errors.js';
import { randomToken, type Random } from '../domain/random.js';
import type { AuditLog } from '../store/audit-log.js';
import type { DeliveryStatus, WebhookDelivery, WebhookEndpoint } from './webhook-delivery.js';
import type { EventWebhooksRepo } from '../store/event-webhooks.js';
import type { EventsRepo } from '../store/events.js';
import type { WebhookDeliveriesRepo } from '../store/webhook-deliveries.js';
import { newDeliveryId } from './webhook-outbox.js';
import { requirePublicHost } from './webhook-target.js';

export interface WebhookServiceDeps {
  events: EventsRepo;
  endpoints: EventWebhooksRepo;
  deliveries: WebhookDeliveriesRepo;
  audit: AuditLog;
  clock: Clock;
  random: Random;
  /** SCANPASS_WEBHOOK_ALLOW_PRIVATE: accept loopback and private targets (labs, tests). */
  allowPrivate: boolean;
}

export const WEBHOOK_SECRET_PREFIX = 'whsec_';

const webhookView = (w: WebhookEndpoint) => ({
  event_id: w.eventId,
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
export function webhookUrl(raw: string, allowPrivate = false): string {
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

/** The organiser's side of an event's webhook: the endpoint, its secret, its delivery log, a test ping. */
export class WebhookService {
  constructor(private readonly d: WebhookServiceDeps) {}

  /** Sets the endpoint; a new one, or `rotate_secret`, gets a fresh secret (the old one stops verifying at once). */
  async put(by: string, eventId: string, input: { url: string; enabled?: boolean | undefined; rotate_secret?: boolean | undefined }) {
    await this.event(eventId);
    const url = webhookUrl(input.url, this.d.allowPrivate);
    const now = this.d.clock.now();
    const current = await this.d.endpoints.get(eventId);
    const secret = !current || input.rotate_secret ? `${WEBHOOK_SECRET_PREFIX}${randomToken(this.d.random, 24)}` : current.secret;
    const enabled = input.enabled ?? current?.enabled ?? true;
    const row = await this.d.endpoints.put({ eventId, url, secret, enabled, createdAt: now, updatedAt: now });
    await this.audit(by, current ? 'webhook_update' : 'webhook_create', eventId, { url, enabled, secret_rotated: !!current && !!input.rotate_secret });
    return { created: !current, webhook: webhookView(row) };
  }

  async get(eventId: string) {
    return webhookView(await this.endpoint(eventId));
  }

  async remove(by: string, eventId: string) {
    await this.event(eventId);
    if (!(await this.d.endpoints.delete(eventId))) throw new AppError('webhook_not_configured', 'this event has no webhook');
    await this.audit(by, 'webhook_delete', eventId, {});
    return { event_id: eventId, deleted: true };
  }

  async deliveries(eventId: string, status: DeliveryStatus | undefined, limit: number) {
    await this.endpoint(eventId);
    return { deliveries: (await this.d.deliveries.list(eventId, status, limit)).map(deliveryView) };
  }

  /** Queues a `ping`, sent like any delivery: it shows the endpoint answers and verifies signatures. */
  async ping(by: string, eventId: string) {
    const w = await this.endpoint(eventId);
    if (!w.enabled) throw new AppError('webhook_disabled', 'this webhook is disabled; enable it first');
    const id = newDeliveryId(this.d.random);
    const now = this.d.clock.now();
    await this.d.deliveries.insert({ id, eventId, kind: 'ping', payload: JSON.stringify({ event_id: eventId, url: w.url }), createdAt: now });
    await this.audit(by, 'webhook_ping', eventId, { delivery_id: id });
    return deliveryView((await this.d.deliveries.get(eventId, id))!);
  }

  /** Sends a finished delivery once more, with the same id and body. */
  async redeliver(by: string, eventId: string, deliveryId: string) {
    await this.endpoint(eventId);
    if (!(await this.d.deliveries.get(eventId, deliveryId))) throw new AppError('not_found', 'no such delivery');
    if (!(await this.d.deliveries.redeliver(eventId, deliveryId, this.d.clock.now()))) throw new AppError('conflict', 'this delivery is still pending');
    await this.audit(by, 'webhook_redeliver', eventId, { delivery_id: deliveryId });
    return deliveryView((await this.d.deliveries.get(eventId, deliveryId))!);
  }

  private async event(eventId: string) {
    if (!(await this.d.events.event(eventId))) throw new AppError('not_found', 'no such event');
  }

  private async endpoint(eventId: string): Promise<WebhookEndpoint> {
    await this.event(eventId);
    const w = await this.d.endpoints.get(eventId);
    if (!w) throw new AppError('webhook_not_configured', 'this event has no webhook; PUT /api/v1/events/{id}/webhook sets one');
    return w;
  }

  private async audit(by: string, action: string, eventId: string, detail: Record<string, unknown>) {
    await this.d.audit.record({ at: this.d.clock.now(), actorId: by, action, subject: `event:${eventId}`, outcome: 'ok', detail });
  }
}
