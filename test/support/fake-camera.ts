import fs from 'node:fs';
import QRCode from 'qrcode';

/**
 * A video file for Chromium's fake camera (`--use-file-for-fake-video-capture`):
 * YUV4MPEG2, 4:2:0, showing a QR code of `text` in the middle of a noisy
 * "scene", as a phone screen held up to the camera would. Chromium
 * plays the file in a loop, so the code stays in view for as long as the
 * test runs; with `emptyFrames`, each loop ends with that many frames of the
 * scene alone (the code taken away for a moment).
 */
export function writeQrY4m(file: string, text: string, opts: { width?: number; height?: number; frames?: number; fps?: number; emptyFrames?: number } = {}): void {
  const width = opts.width ?? 640;
  const height = opts.height ?? 480;
  const frames = opts.frames ?? 4;
  const fps = opts.fps ?? 10;

  const qr = QRCode.create(text, { errorCorrectionLevel: 'M' });
  const n = qr.modules.size;
  const quiet = 4;
  // About half of the shorter side, as a code held at a comfortable distance.
  const scale = Math.max(2, Math.floor((Math.min(width, height) * 0.55) / (n + 2 * quiet)));
  const side = (n + 2 * quiet) * scale;
  const left = Math.floor((width - side) / 2);
  const top = Math.floor((height - side) / 2);

  // Video-range luma: 16 is black, 235 white.
  // A camera picture is never clean: a gradient, some shapes, sensor noise (a fixed seed: same file every run).
  let seed = 0x9e3779b9;
  const rand = () => ((seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 2 ** 32);
  const scene = Buffer.alloc(width * height);
  for (let row = 0; row < height; row++) {
    for (let col = 0; col < width; col++) scene[row * width + col] = 60 + Math.round((70 * (row + col)) / (width + height));
  }
  for (let i = 0; i < 24; i++) {
    const [w, h] = [20 + Math.floor(rand() * 140), 20 + Math.floor(rand() * 140)];
    const [x0, y0] = [Math.floor(rand() * (width - w)), Math.floor(rand() * (height - h))];
    const shade = 30 + Math.floor(rand() * 190);
    for (let row = y0; row < y0 + h; row++) scene.fill(shade, row * width + x0, row * width + x0 + w);
  }
  const noisy = (v: number) => Math.max(16, Math.min(235, v + Math.round((rand() - 0.5) * 24)));
  for (let i = 0; i < scene.length; i++) scene[i] = noisy(scene[i]!);
  const y = Buffer.from(scene);
  for (let row = 0; row < side; row++) {
    for (let col = 0; col < side; col++) {
      const mr = Math.floor(row / scale) - quiet;
      const mc = Math.floor(col / scale) - quiet;
      const dark = mr >= 0 && mc >= 0 && mr < n && mc < n && qr.modules.get(mr, mc) === 1;
      y[(top + row) * width + left + col] = noisy(dark ? 24 : 225);
    }
  }
  const chroma = Buffer.alloc((width / 2) * (height / 2), 128);
  const header = Buffer.from(`YUV4MPEG2 W${width} H${height} F${fps}:1 Ip A1:1 C420jpeg\n`);
  const frame = (luma: Buffer) => Buffer.concat([Buffer.from('FRAME\n'), luma, chroma, chroma]);
  const withCode = frame(y);
  const without = frame(scene);
  const all = [...Array.from({ length: frames }, () => withCode), ...Array.from({ length: opts.emptyFrames ?? 0 }, () => without)];
  fs.writeFileSync(file, Buffer.concat([header, ...all]));
}
