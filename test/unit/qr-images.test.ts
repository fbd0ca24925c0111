import { describe, expect, it } from 'vitest';
import { isAppError } from '../../src/domain/errors.js';
import { statusOf } from '../../src/http/error-codes.js';
import { QrImages, QR_MAX_SIZE } from '../../src/http/qr-images.js';
import { decodeQrPng } from '../support/qr-decode.js';

const LINK = 'https://scan.example/device?user_code=BCDF-GHJK';

describe('QR images', () => {
  it('draws a PNG of exactly the asked width that reads back as the content', async () => {
    const qr = new QrImages();
    for (const size of [64, 101, 320, QR_MAX_SIZE]) {
      const png = await qr.png(LINK, size);
      expect(png.readUInt32BE(16)).toBe(size);
      expect(png.readUInt32BE(20)).toBe(size);
      expect(await decodeQrPng(png)).toEqual([LINK]);
    }
  });

  it('answers a repeat from the cache: the very same bytes', async () => {
    const qr = new QrImages();
    const first = await qr.png(LINK, 512);
    expect(await qr.png(LINK, 512)).toBe(first);
    expect(await qr.png(LINK, 513)).not.toBe(first);
    expect(await qr.svg(LINK)).toBe(await qr.svg(LINK));
  });

  it('forgets the least recently used image beyond its entry bound', async () => {
    const qr = new QrImages({ cacheEntries: 2 });
    const a = await qr.png(LINK, 100);
    await qr.png(LINK, 101);
    expect(await qr.png(LINK, 100)).toBe(a); // a is now the most recent
    await qr.png(LINK, 102); // evicts 101
    expect(await qr.png(LINK, 100)).toBe(a);
    const b2 = await qr.png(LINK, 101);
    expect(await qr.png(LINK, 101)).toBe(b2);
  });

  it('draws an image asked for by many at once only once', async () => {
    const qr = new QrImages({ rendering: 1, waiting: 0 });
    const all = await Promise.all(Array.from({ length: 20 }, () => qr.png(LINK, 700)));
    for (const p of all) expect(p).toBe(all[0]);
  });

  it('refuses PNG renders beyond the running and waiting bounds with 503 unavailable, then recovers', async () => {
    const qr = new QrImages({ rendering: 1, waiting: 1 });
    const results = await Promise.allSettled([qr.png(LINK, 200), qr.png(LINK, 201), qr.png(LINK, 202), qr.dataUrl(LINK, 203)]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'rejected']);
    for (const r of results.slice(2)) {
      const err = (r as PromiseRejectedResult).reason;
      expect(isAppError(err) && err.code).toBe('unavailable');
      expect(statusOf(err.code)).toBe(503);
    }
    expect((await qr.png(LINK, 202)).readUInt32BE(16)).toBe(202);
  });

  it('refuses sizes outside 64..1024 with invalid_request', async () => {
    const qr = new QrImages();
    for (const size of [63, 1025, 2048, 1.5, Number.NaN]) {
      const err: unknown = await qr.png(LINK, size).catch((e: unknown) => e);
      expect(isAppError(err) && [err.code, statusOf(err.code)]).toEqual(['invalid_request', 400]);
    }
  });
});
