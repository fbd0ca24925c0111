import { ApiError } from './api.js';
import type { MessageKey, Vars } from './i18n.js';

const KNOWN: ReadonlySet<string> = new Set([
  'invalid_credentials',
  'account_disabled',
  'rate_limited',
  'invalid_request',
  'unauthorized',
  'csrf_failed',
  'forbidden',
  'unavailable',
  'internal_error',
  // login requests, by user code (the /device page)
  'unknown_code',
  'code_expired',
  'code_used',
  'claimed_elsewhere',
  'not_claimed',
  'match_required',
  'match_mismatch',
]);

/** The friendly, translatable message for an error thrown by the API helper. */
export function errorMessage(err: unknown): { key: MessageKey; vars?: Vars } {
  if (!(err instanceof ApiError)) return { key: 'error.unknown' };
  if (err.code === 'network_error') return { key: 'error.network' };
  if (err.code === 'rate_limited' && err.retryAfterSeconds !== undefined && err.retryAfterSeconds > 0) {
    return { key: 'error.rate_limited_wait', vars: { seconds: err.retryAfterSeconds } };
  }
  if (KNOWN.has(err.code)) return { key: `error.${err.code}` as MessageKey };
  if (err.status >= 500) return { key: 'error.internal_error' };
  return { key: 'error.unknown' };
}
