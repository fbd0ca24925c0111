import type dns from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import { publicOnlyLookup, RefusedTarget, refusedHost } from '../webhooks/webhook-target.js';

/** One encrypted, VAPID-signed push message, as web-push's `generateRequestDetails` builds it. */
export interface PushRequest {
  endpoint: string;
  headers: Record<string, string | number>;
  body: Buffer | null;
}

/** How the push service answered: its status, or why none came. */
export type PushAttempt = { status: number; error?: string } | { status: null; error: string };

/** Where a push may connect: the same rule as webhooks (webhook-target.ts). */
export interface PushTargetPolicy {
  /** SCANPASS_WEBHOOK_ALLOW_PRIVATE: loopback and private push services too, over http (labs, tests). */
  allowPrivate: boolean;
  /** Name resolution for the request's socket; tests may stand in for DNS. */
  resolve?: typeof dns.lookup;
}

/**
 * POSTs one push message to the subscription's push service. The endpoint
 * comes from a browser, so it is treated like a webhook URL: https only, and
 * a host that is, or resolves to, a loopback, private or reserved address is
 * refused before connecting (on the addresses the socket would use), unless
 * the policy allows private targets (then http is accepted too). Never throws.
 */
export async function sendPush(r: PushRequest, timeoutMs: number, target: PushTargetPolicy): Promise<PushAttempt> {
  const timeout = AbortSignal.timeout(timeoutMs);
  try {
    const url = new URL(r.endpoint);
    if (url.protocol !== 'https:' && !(target.allowPrivate && url.protocol === 'http:')) return { status: null, error: `refused: ${url.protocol} endpoint` };
    const refused = target.allowPrivate ? null : refusedHost(url);
    if (refused) return { status: null, error: `refused: ${refused}` };
    const headers = Object.fromEntries(Object.entries(r.headers).map(([k, v]) => [k, String(v)]));
    const res = await post(url, r.body, headers, timeout, target.allowPrivate ? target.resolve : publicOnlyLookup(target.resolve));
    res.resume();
    res.destroy();
    return { status: res.statusCode ?? 0 };
  } catch (err) {
    if (err instanceof RefusedTarget) return { status: null, error: `refused: ${err.message}` };
    if (timeout.aborted) return { status: null, error: `no answer within ${timeoutMs / 1000} s` };
    return { status: null, error: (err instanceof Error ? err.message : String(err)).slice(0, 300) };
  }
}

function post(url: URL, body: Buffer | null, headers: Record<string, string>, signal: AbortSignal, lookup: LookupFunction | undefined): Promise<http.IncomingMessage> {
  return new Promise((resolve, reject) => {
    const send = url.protocol === 'https:' ? https.request : http.request;
    // No agent: one connection per request, so no socket resolved earlier is reused.
    const req = send(url, { method: 'POST', headers, signal, agent: false, ...(lookup ? { lookup } : {}) }, resolve);
    req.on('error', reject);
    req.end(body ?? undefined);
  });
}
