import { AppError } from '../domain/errors.js';
import { qrEncoder } from './qr-encoder.js';
import { qrPng } from './qr-png.js';

/** Medium error correction and a 2-module quiet zone: what phone cameras read best from screens. */
const ERROR_CORRECTION = 'M';
const MARGIN = 2;

/** Pixel sizes a caller may ask for. 1024 px is sharper than any screen shows a QR; 2048 only cost time. */
export const QR_MIN_SIZE = 64;
export const QR_MAX_SIZE = 1024;

interface QrImagesOptions {
  /** Rendered images kept, least recently used dropped first. */
  cacheEntries: number;
  /** ... and their total size. */
  cacheBytes: number;
  /** PNG renders at once; each holds a raw bitmap (up to 130 KB) and a compression job. */
  rendering: number;
  /** PNG renders waiting for a turn; more are refused with 503 `unavailable`. */
  waiting: number;
}

const DEFAULTS: QrImagesOptions = { cacheEntries: 500, cacheBytes: 8 << 20, rendering: 4, waiting: 64 };

/**
 * Draws QR codes for every feature (login screens, shares), once: a small LRU
 * cache keyed by (format, size, content) answers repeats byte for byte, the
 * same image asked for by many at once is drawn once, and PNG renders are
 * bounded in number so a flood queues briefly or is refused instead of
 * piling up memory.
 */
export class QrImages {
  private readonly cache = new Map<string, Buffer>();
  private cachedBytes = 0;
  private readonly inFlight = new Map<string, Promise<Buffer>>();
  private running = 0;
  private readonly queue: Array<() => void> = [];
  private readonly o: QrImagesOptions;

  constructor(options: Partial<QrImagesOptions> = {}) {
    this.o = { ...DEFAULTS, ...options };
  }

  async svg(content: string): Promise<string> {
    const out = await this.cached(`svg\n${content}`, async () => Buffer.from(await (await qrEncoder()).toString(content, { errorCorrectionLevel: ERROR_CORRECTION, margin: MARGIN, type: 'svg' })));
    return out.toString('utf8');
  }

  /** Throws 503 `unavailable` when too many PNGs are already being drawn. */
  async png(content: string, size: number): Promise<Buffer> {
    if (!Number.isInteger(size) || size < QR_MIN_SIZE || size > QR_MAX_SIZE) {
      throw new AppError('invalid_request', `size must be an integer from ${QR_MIN_SIZE} to ${QR_MAX_SIZE}`);
    }
    return this.cached(`png\n${size}\n${content}`, () =>
      this.inTurn(async () => qrPng((await qrEncoder()).create(content, { errorCorrectionLevel: ERROR_CORRECTION }).modules, size, MARGIN)),
    );
  }

  async dataUrl(content: string, size: number): Promise<string> {
    return `data:image/png;base64,${(await this.png(content, size)).toString('base64')}`;
  }

  private async cached(key: string, render: () => Promise<Buffer>): Promise<Buffer> {
    const hit = this.cache.get(key);
    if (hit) {
      this.cache.delete(key); // re-insert: Map order is the recency order
      this.cache.set(key, hit);
      return hit;
    }
    const pending = this.inFlight.get(key);
    if (pending) return pending;
    const p = render().finally(() => this.inFlight.delete(key));
    this.inFlight.set(key, p);
    const out = await p;
    this.remember(key, out);
    return out;
  }

  private remember(key: string, value: Buffer): void {
    if (value.length > this.o.cacheBytes || this.cache.has(key)) return;
    this.cache.set(key, value);
    this.cachedBytes += value.length;
    for (const [k, v] of this.cache) {
      if (this.cache.size <= this.o.cacheEntries && this.cachedBytes <= this.o.cacheBytes) break;
      this.cache.delete(k);
      this.cachedBytes -= v.length;
    }
  }

  private async inTurn<T>(work: () => Promise<T>): Promise<T> {
    if (this.running >= this.o.rendering) {
      if (this.queue.length >= this.o.waiting) throw new AppError('unavailable', 'too many QR images are being drawn right now; try again in a second', { retry_after: 1 });
      await new Promise<void>((resolve) => this.queue.push(resolve)); // the finishing render hands its turn over
    } else this.running++;
    try {
      return await work();
    } finally {
      const next = this.queue.shift();
      if (next) next();
      else this.running--;
    }
  }
}

/** One per process: the bound protects this process's event loop, whatever number of apps it runs. */
export const qrImages = new QrImages();
