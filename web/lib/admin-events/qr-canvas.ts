import QRCode from 'qrcode';
import { h } from './dom.js';

/**
 * A QR of `text` as the console shows it (a device's link, an entrance code,
 * a poster): black on white with a quiet zone, drawn at `width` pixels and
 * scaled by CSS; `data-ready` is set once drawn, `data-qr-text` says what it
 * encodes.
 */
export function qrCanvas(text: string, opts: { testid: string; label: string; width?: number; className?: string }): HTMLCanvasElement {
  const canvas = h('canvas', { class: opts.className ?? 'ev-qr', 'data-testid': opts.testid, 'data-qr-text': text, role: 'img', 'aria-label': opts.label });
  void QRCode.toCanvas(canvas, text, { errorCorrectionLevel: 'M', margin: 4, width: opts.width ?? 480, color: { dark: '#000000', light: '#ffffff' } }).then(() => {
    canvas.style.removeProperty('width');
    canvas.style.removeProperty('height');
    canvas.dataset.ready = 'true';
  });
  return canvas;
}
