import { createHmac } from 'node:crypto';
import type dns from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import { signWebhook, type Hmac } from '../domain/webhook-signature.js';
import { publicOnlyLookup, RefusedTarget, refusedHost } from './webhook-target.js';

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

/** Where an attempt may connect (see webhook-target). */
export interface TargetPolicy {
  /** SCANPASS_WEBHOOK_ALLOW_PRIVATE: loopback and private targets too (labs, tests). */
  allowPrivate: boolean;
  /** Name resolution for the attempt's socket; tests may stand in for DNS. */
  resolve?: typeof dns.lookup;
}

/**
 * POSTs one delivery, signed at the moment of sending. Redirects are not
 * followed (a 3xx is a failure, as an endpoint that moved should be updated).
 * Unless the policy allows them, a host that is, or resolves to, a loopback,
 * private or reserved address is refused before connecting, on the very
 * addresses the socket would use. `stop` aborts it when the node shuts down;
 * that does not count as an attempt.
 */
export async function sendWebhook(r: WebhookRequest, nowSeconds: number, timeoutMs: number, stop: AbortSignal, target: TargetPolicy = { allowPrivate: false }): Promise<AttemptResult> {
  const body = webhookBody(r);
  const timeout = AbortSignal.timeout(timeoutMs);
  try {
    const url = new URL(r.url);
    // Saved before the setting changed, or written around the API: the host itself is checked again here.
    const refused = target.allowPrivate ? null : refusedHost(url);
    if (refused) return { ok: false, status: null, error: `refused: ${refused}` };
    const res = await post(url, body, {
      'content-type': 'application/json',
      'content-length': String(Buffer.byteLength(body)),
      'user-agent': 'scanpass-webhooks',
      'x-scanpass-delivery': r.id,
      'x-scanpass-event': r.type,
      'x-scanpass-signature': signWebhook(hmacSha256Hex, r.secret, body, nowSeconds),
    }, AbortSignal.any([stop, timeout]), target.allowPrivate ? target.resolve : publicOnlyLookup(target.resolve));
    const status = res.statusCode ?? 0;
    if (status >= 200 && status < 300) {
      res.destroy();
      return { ok: true, status };
    }
    return { ok: false, status, error: `HTTP ${status}${await snippet(res)}` };
  } catch (err) {
    if (stop.aborted) return { ok: false, aborted: true };
    if (err instanceof RefusedTarget) return { ok: false, status: null, error: `refused: ${err.message}` };
    return { ok: false, status: null, error: timeout.aborted ? `no answer within ${timeoutMs / 1000} s` : describe(err, timeoutMs) };
  }
}

function post(url: URL, body: string, headers: Record<string, string>, signal: AbortSignal, lookup: LookupFunction | undefined): Promise<http.IncomingMessage> {
  return new Promise((resolve, reject) => {
    const send = url.protocol === 'https:' ? https.request : http.request;
    // No agent: one connection per attempt, so no socket resolved earlier is reused.
    const req = send(url, { method: 'POST', headers, signal, agent: false, ...(lookup ? { lookup } : {}) }, resolve);
    req.on('error', reject);
    req.end(body);
  });
}

/**
 * The start of an error answer, for the delivery log: enough to see what the
 * receiver said, never the whole of a large body (and only from targets that
 * passed the checks above).
 */
async function snippet(res: http.IncomingMessage, max = 200): Promise<string> {
  try {
    const first = await new Promise<Buffer | undefined>((resolve) => {
      res.once('data', (c: Buffer) => resolve(c));
      res.once('end', () => resolve(undefined));
      res.once('error', () => resolve(undefined));
      res.once('close', () => resolve(undefined));
    });
    res.destroy();
    const text = first ? first.subarray(0, max * 4).toString('utf8').slice(0, max).trim() : '';
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
