/**
 * Grabs the current video frame as ImageData, downscaled so that its longer
 * side is at most `maxSide` pixels: a QR code held up to a phone or tablet
 * is still many pixels per module at that size, and decoding stays fast on
 * slow devices. One canvas is reused for every frame.
 */

const DEFAULT_MAX_SIDE = 800;

export class FrameGrabber {
  private canvas: HTMLCanvasElement | OffscreenCanvas | null = null;
  private ctx: CanvasRenderingContext2D | OffscreenCanvasRenderingContext2D | null = null;

  constructor(private readonly maxSide = DEFAULT_MAX_SIDE) {}

  /** The frame now on screen, or null while the video has no picture yet. */
  grab(video: HTMLVideoElement): ImageData | null {
    const vw = video.videoWidth;
    const vh = video.videoHeight;
    if (!vw || !vh || video.readyState < HTMLMediaElement.HAVE_CURRENT_DATA) return null;
    const scale = Math.min(1, this.maxSide / Math.max(vw, vh));
    const w = Math.max(1, Math.round(vw * scale));
    const h = Math.max(1, Math.round(vh * scale));
    const ctx = this.context(w, h);
    ctx.drawImage(video, 0, 0, w, h);
    return ctx.getImageData(0, 0, w, h);
  }

  private context(w: number, h: number): CanvasRenderingContext2D | OffscreenCanvasRenderingContext2D {
    if (!this.canvas || !this.ctx) {
      this.canvas = typeof OffscreenCanvas === 'function' ? new OffscreenCanvas(w, h) : document.createElement('canvas');
      // Read back on every frame: keep the canvas in memory, not on the GPU.
      const ctx = this.canvas.getContext('2d', { willReadFrequently: true, alpha: false });
      if (!ctx) throw new Error('no 2d canvas context');
      this.ctx = ctx as CanvasRenderingContext2D | OffscreenCanvasRenderingContext2D;
    }
    if (this.canvas.width !== w || this.canvas.height !== h) {
      this.canvas.width = w;
      this.canvas.height = h;
    }
    return this.ctx;
  }
}
