import { describe, expect, it } from 'vitest';
import { afterFailure, parseRetrySchedule } from '../../src/domain/webhook-retry.js';
import { signWebhook, verifyWebhook } from '../../src/domain/webhook-signature.js';
import { hmacSha256Hex } from '../../src/webhooks/webhook-sender.js';

const SECRET = 'whsec_test_secret_for_the_unit_suite';
const BODY = '{"id":"whd_1","type":"checkin.created","created_at":1800000000000,"data":{"attendee":{"name":"Ann"}}}';
const T = 1_800_000_000;

describe('webhook signature', () => {
  const header = signWebhook(hmacSha256Hex, SECRET, BODY, T);

  it('signs t and the body as t=<seconds>,v1=<hex HMAC-SHA256>', () => {
    expect(header).toMatch(/^t=1800000000,v1=[0-9a-f]{64}$/);
    expect(header.split('v1=')[1]).toBe(hmacSha256Hex(SECRET, `${T}.${BODY}`));
  });

  it('verifies the exact body, secret and a recent time', () => {
    expect(verifyWebhook(hmacSha256Hex, SECRET, BODY, header, T + 10)).toEqual({ ok: true, timestamp: T });
  });

  it('refuses a tampered body, another secret or a changed time', () => {
    expect(verifyWebhook(hmacSha256Hex, SECRET, BODY.replace('Ann', 'Bob'), header, T)).toEqual({ ok: false, reason: 'signature_mismatch' });
    expect(verifyWebhook(hmacSha256Hex, `${SECRET}x`, BODY, header, T)).toEqual({ ok: false, reason: 'signature_mismatch' });
    expect(verifyWebhook(hmacSha256Hex, SECRET, BODY, header.replace(`t=${T}`, `t=${T + 1}`), T)).toEqual({ ok: false, reason: 'signature_mismatch' });
  });

  it('refuses a signature older (or newer) than the tolerance, even if genuine', () => {
    expect(verifyWebhook(hmacSha256Hex, SECRET, BODY, header, T + 301)).toEqual({ ok: false, reason: 'timestamp_out_of_tolerance' });
    expect(verifyWebhook(hmacSha256Hex, SECRET, BODY, header, T - 301)).toEqual({ ok: false, reason: 'timestamp_out_of_tolerance' });
    expect(verifyWebhook(hmacSha256Hex, SECRET, BODY, header, T + 3600, 7200).ok).toBe(true);
  });

  it('refuses malformed headers and accepts any one matching v1 of several', () => {
    for (const h of ['', 't=', 'v1=abc', `t=${T}`, `t=x,v1=${'0'.repeat(64)}`, `t=${T},v1=${'g'.repeat(64)}`, 'garbage']) {
      expect(verifyWebhook(hmacSha256Hex, SECRET, BODY, h, T)).toEqual({ ok: false, reason: 'malformed_header' });
    }
    const two = `t=${T},v1=${'0'.repeat(64)},${header.split(',')[1]}`;
    expect(verifyWebhook(hmacSha256Hex, SECRET, BODY, two, T).ok).toBe(true);
  });
});

describe('webhook retry schedule', () => {
  it('parses waits in ms, s, m and h', () => {
    expect(parseRetrySchedule('10s, 30s,2m,1h,250ms')).toEqual([10_000, 30_000, 120_000, 3_600_000, 250]);
    for (const bad of ['', '10', '10d', '1s,,2s', '-1s', 'soon']) expect(() => parseRetrySchedule(bad), bad).toThrow();
  });

  it('waits the scheduled time with at most 20 % jitter, then gives up after one attempt more than the waits', () => {
    const schedule = [10_000, 30_000];
    expect(afterFailure(schedule, 1, 0, 0)).toEqual({ status: 'pending', nextAttemptAt: 8_000 });
    expect(afterFailure(schedule, 1, 0, 0.5)).toEqual({ status: 'pending', nextAttemptAt: 10_000 });
    expect(afterFailure(schedule, 2, 1000, 0.999999)).toEqual({ status: 'pending', nextAttemptAt: 1000 + 36_000 });
    expect(afterFailure(schedule, 3, 0, 0.5)).toEqual({ status: 'failed' });
  });
});
