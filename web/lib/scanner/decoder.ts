/**
 * QR decoding: the browser's own `BarcodeDetector` where it exists and reads
 * QR codes (Chrome on Android, Safari 17+ on iOS/macOS), otherwise
 * zxing-wasm. The zxing .wasm is a hashed asset of our own build, served by
 * scanpass itself: the library's default (a CDN) is never contacted. Its
 * JavaScript is a separate chunk, loaded only when the browser has no
 * detector of its own.
 */
import type { ReaderOptions } from 'zxing-wasm/reader';
import zxingWasmUrl from 'zxing-wasm/reader/zxing_reader.wasm?url';

export type DecoderKind = 'barcode-detector' | 'zxing-wasm';

export interface QrDecoder {
  readonly kind: DecoderKind;
  /** How long getting ready took (loading and compiling the wasm), in ms. */
  readonly readyMs: number;
  /** The texts of the QR codes in the frame (usually zero or one). */
  decode(frame: ImageData): Promise<string[]>;
}

// ---- BarcodeDetector (not in TypeScript's DOM types yet) ----------------------

interface DetectedBarcode {
  rawValue: string;
  format: string;
}
interface BarcodeDetectorInstance {
  detect(source: ImageBitmapSource): Promise<DetectedBarcode[]>;
}
interface BarcodeDetectorClass {
  new (options?: { formats: string[] }): BarcodeDetectorInstance;
  getSupportedFormats(): Promise<string[]>;
}

function nativeDetectorClass(): BarcodeDetectorClass | undefined {
  return (globalThis as { BarcodeDetector?: BarcodeDetectorClass }).BarcodeDetector;
}

/** True when this browser has a BarcodeDetector that reads QR codes. */
async function hasNativeQrDetector(): Promise<boolean> {
  const Detector = nativeDetectorClass();
  if (!Detector) return false;
  try {
    return (await Detector.getSupportedFormats()).includes('qr_code');
  } catch {
    return false;
  }
}

function nativeDecoder(Detector: BarcodeDetectorClass): QrDecoder {
  const detector = new Detector({ formats: ['qr_code'] });
  return {
    kind: 'barcode-detector',
    readyMs: 0,
    async decode(frame) {
      const found = await detector.detect(frame);
      return found.map((b) => b.rawValue).filter((t) => t !== '');
    },
  };
}

// ---- zxing-wasm ----------------------------------------------------------------

/** QR only, at most one per frame; the rest of zxing's defaults (try harder, rotate, invert). */
const ZXING_OPTIONS: ReaderOptions = { formats: ['QRCode'], maxNumberOfSymbols: 1 };

/** The URL of the reader .wasm on our own origin. */
export const ZXING_WASM_URL = zxingWasmUrl;

async function zxingDecoder(): Promise<QrDecoder> {
  const t0 = performance.now();
  const { prepareZXingModule, readBarcodes } = await import('zxing-wasm/reader');
  await prepareZXingModule({
    // Only one file is ever asked for; answer with our own copy whatever its name.
    overrides: { locateFile: (file: string, prefix: string) => (file.endsWith('.wasm') ? new URL(zxingWasmUrl, location.href).href : prefix + file) },
    fireImmediately: true,
  });
  const readyMs = performance.now() - t0;
  return {
    kind: 'zxing-wasm',
    readyMs,
    async decode(frame) {
      const results = await readBarcodes(frame, ZXING_OPTIONS);
      return results.filter((r) => r.isValid && r.text !== '').map((r) => r.text);
    },
  };
}

/**
 * The best decoder this browser has. `prefer: 'zxing-wasm'` skips the native
 * detector (for comparing the two, or working around a broken one).
 */
export async function createDecoder(opts: { prefer?: DecoderKind } = {}): Promise<QrDecoder> {
  const Detector = nativeDetectorClass();
  if (opts.prefer !== 'zxing-wasm' && Detector && (await hasNativeQrDetector())) return nativeDecoder(Detector);
  return zxingDecoder();
}
