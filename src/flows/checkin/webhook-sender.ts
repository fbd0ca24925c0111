import { createHmac } from 'node:crypto';
import { signWebhook, type Hmac } from '../../domain/webhook-signature.js';

export const hmacSha256Hex: Hmac = (secret, message) => createHmac('sha256', secret).update(message).digest('hex');

export interface WebhookRequest {
  id: string;
  type: string;
  createdAt: number;
  /** JSON of `data`, as stored. */
  payload: string;
  url: string;
  secret: string;
}

/** How one attempt went: a 2xx answer, or why not (status null when no answer came). */
export type AttemptResult = { ok: true; status: number } | { ok: false; status: number | null; error: string } | { ok: false; aborted: true };

/** The body a receiver gets: the same bytes on every attempt of one delivery. */
export const webhookBody = (r: Pick<WebhookRequest, 'id' | 'type' | 'createdAt' | 'payload'>) =>
  `{"id":${JSON.stringify(r.id)},"type":${JSON.stringify(r.type)},"created_at":${r.createdAt},"data":${r.payload}}`;

/**
 * POSTs one delivery, signed at the moment of sending. Redirects are not
 * followed (a 3xx is a failure, as an endpoint that moved should be updated).
 * `stop` aborts it when the node shuts down; that does not count as an attempt.
 */
export async function sendWebhook(r: WebhookRequest, nowSeconds: number, timeoutMs: number, stop: AbortSignal): Promise<AttemptResult> {
  const body = webhookBody(r);
  try {
    const res = await fetch(r.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'user-agent': 'scanpass-webhooks',
        'x-scanpass-delivery': r.id,
        'x-scanpass-event': r.type,
        'x-scanpass-signature': signWebhook(hmacSha256Hex, r.secret, body, nowSeconds),
      },
      body,
      redirect: 'manual',
      signal: AbortSignal.any([stop, AbortSignal.timeout(timeoutMs)]),
    });
    if (res.status >= 200 && res.status < 300) {
      await res.body?.cancel().catch(() => {});
      return { ok: true, status: res.status };
    }
    return { ok: false, status: res.status, error: `HTTP ${res.status}${await snippet(res)}` };
  } catch (err) {
    if (stop.aborted) return { ok: false, aborted: true };
    return { ok: false, status: null, error: describe(err, timeoutMs) };
  }
}

/** The start of an error answer, for the delivery log; never the whole of a large body. */
async function snippet(res: Response, max = 200): Promise<string> {
  try {
    const reader = res.body?.getReader();
    if (!reader) return '';
    const { value } = await reader.read();
    await reader.cancel().catch(() => {});
    const text = value ? new TextDecoder().decode(value.subarray(0, max * 4)).slice(0, max).trim() : '';
    return text ? `: ${text}` : '';
  } catch {
    return '';
  }
}

function describe(err: unknown, timeoutMs: number): string {
  const e = err as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (e.name === 'TimeoutError') return `no answer within ${timeoutMs / 1000} s`;
  const cause = e.cause?.code ?? e.cause?.message;
  return (cause ? `${e.message ?? 'request failed'} (${cause})` : (e.message ?? String(err))).slice(0, 300);
}
