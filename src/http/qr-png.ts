import { promisify } from 'node:util';
import { crc32, deflate } from 'node:zlib';

const deflateAsync = promisify(deflate);

/** The modules of a QR symbol, as `qrcode`'s `create()` returns them: `size` x `size`, 1 = dark. */
interface QrModules {
  size: number;
  get(row: number, col: number): number | boolean;
}

/**
 * A QR symbol as a black-and-white PNG (1 bit per pixel), `width` pixels wide
 * with `margin` light modules around it.
 *
 * Why not `qrcode`'s own PNG renderer: it fills 4 bytes per pixel in
 * JavaScript, synchronously, so a 2048-pixel image held the event loop for
 * about 0.3-0.85 s. A QR's pixel rows repeat (one distinct row per module
 * row), so each is built once and copied; compression runs on libuv's thread
 * pool. A 1024-pixel image takes about a millisecond of the loop.
 *
 * The geometry is `qrcode`'s: scale = width / (modules + 2 margin), so both
 * renderers draw the same picture (too small a width falls back to 4 px a module).
 */
export async function qrPng(modules: QrModules, width: number, margin: number): Promise<Buffer> {
  const n = modules.size;
  const total = n + 2 * margin;
  const scale = width >= total ? width / total : 4;
  const px = width >= total ? width : total * scale; // exactly the width asked for, whatever the float rounding
  const scaledMargin = margin * scale;
  const lineBytes = 1 + Math.ceil(px / 8); // filter byte + packed pixels

  // Grayscale bit depth 1: a 0 bit is black, a 1 bit is white.
  const line = (moduleRow: number | null): Buffer => {
    const out = Buffer.alloc(lineBytes); // filter 0 (none), all black
    for (let x = 0; x < px; x++) {
      const inside = moduleRow !== null && x >= scaledMargin && x < px - scaledMargin;
      const dark = inside && modules.get(moduleRow, Math.floor((x - scaledMargin) / scale));
      if (!dark) out[1 + (x >> 3)]! |= 0x80 >> (x & 7);
    }
    return out;
  };
  const blank = line(null);
  const rows = Array.from({ length: n }, (_, r) => line(r));
  const raw = Buffer.allocUnsafe(lineBytes * px);
  for (let y = 0; y < px; y++) {
    const inside = y >= scaledMargin && y < px - scaledMargin;
    (inside ? rows[Math.floor((y - scaledMargin) / scale)]! : blank).copy(raw, y * lineBytes);
  }

  const header = Buffer.alloc(13);
  header.writeUInt32BE(px, 0);
  header.writeUInt32BE(px, 4);
  header.set([1, 0, 0, 0, 0], 8); // bit depth 1, grayscale, deflate, no filter method, no interlace
  return Buffer.concat([PNG_SIGNATURE, chunk('IHDR', header), chunk('IDAT', await deflateAsync(raw)), chunk('IEND', Buffer.alloc(0))]);
}

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

function chunk(type: string, data: Buffer): Buffer {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, 'ascii');
  data.copy(out, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
  return out;
}
