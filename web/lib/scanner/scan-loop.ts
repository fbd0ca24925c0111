/**
 * The continuous scan: grab a frame from the camera, decode it, hand each new
 * code to `onCode`. One decode at a time, at most one every `intervalMs`,
 * driven by requestVideoFrameCallback (new frames only) where available.
 *
 * States: `ready` (scanning, waiting for a code), `busy` (onCode is running,
 * e.g. the check-in request), `result` (showing the outcome), `paused`,
 * `stopped`. After a result:
 * - kiosk (auto-scan) mode: back to `ready` by itself after `resultMs`, for
 *   an unattended device;
 * - staff mode: stays on the result until `resume()` (a tap on "scan next").
 *
 * Codes seen again within the dedupe window are ignored (see Deduper), also
 * codes coming from a keyboard wedge through `submit()`.
 */
import { Deduper, DEFAULT_DEDUPE_MS } from './dedupe.js';
import type { QrDecoder } from './decoder.js';
import { FrameGrabber } from './frame.js';

export type ScanState = 'ready' | 'busy' | 'result' | 'paused' | 'stopped';
/**
 * Where a code came from: the camera, a keyboard-wedge scanner, staff typing
 * it by hand, or (`search`: the text is an attendee id) a name search's
 * "check in". Typed and searched ones are deliberate: never dropped as repeats.
 */
export type ScanSource = 'camera' | 'keyboard' | 'typed' | 'search';
const DELIBERATE: ReadonlySet<ScanSource> = new Set(['typed', 'search']);

export interface ScanStats {
  /** Frames decoded so far. */
  frames: number;
  /** Codes read from frames, duplicates included. */
  sightings: number;
  /** Codes handed to onCode. */
  accepted: number;
  /** Time of the last decode and the mean over all decodes, in ms. */
  lastDecodeMs: number;
  meanDecodeMs: number;
  /** Mean decode time of frames with a code and of frames without one (the usual case while waiting). */
  meanFoundMs: number;
  meanEmptyMs: number;
  /** Size of the last frame decoded. */
  frameWidth: number;
  frameHeight: number;
}

export interface ScanLoopOptions {
  video: HTMLVideoElement;
  decoder: QrDecoder;
  /** A new code. A returned promise keeps the loop `busy` until it settles. */
  onCode: (text: string, source: ScanSource) => void | Promise<void>;
  onState?: (state: ScanState) => void;
  /** After every decode, for display or logging. */
  onStats?: (stats: Readonly<ScanStats>) => void;
  /** A decode that threw (kept scanning). */
  onError?: (err: unknown) => void;
  /** Ignore the same text for this long after it was last seen (default 5 s). */
  dedupeMs?: number;
  /** Minimum time between two decodes (default 120 ms). */
  intervalMs?: number;
  /** Kiosk (auto-scan) mode: return to `ready` by itself after a result. */
  kiosk?: boolean;
  /** In kiosk mode, how long a result stays on screen (default 2.5 s). */
  resultMs?: number;
  /** Longer side of the frame handed to the decoder (default 800 px). */
  maxSide?: number;
}

type VideoWithFrameCallback = HTMLVideoElement & {
  requestVideoFrameCallback?: (cb: () => void) => number;
  cancelVideoFrameCallback?: (handle: number) => void;
};

export class ScanLoop {
  private stateNow: ScanState = 'stopped';
  private readonly dedupe: Deduper;
  private readonly grabber: FrameGrabber;
  private kioskMode: boolean;
  private decoding = false;
  private lastDecodeAt = 0;
  private frameHandle: number | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private resultTimer: ReturnType<typeof setTimeout> | undefined;
  private totalDecodeMs = 0;
  private totalFoundMs = 0;
  private foundFrames = 0;
  private lastAccepted: string | undefined;
  readonly stats: ScanStats = { frames: 0, sightings: 0, accepted: 0, lastDecodeMs: 0, meanDecodeMs: 0, meanFoundMs: 0, meanEmptyMs: 0, frameWidth: 0, frameHeight: 0 };

  constructor(private readonly opts: ScanLoopOptions) {
    this.dedupe = new Deduper(opts.dedupeMs ?? DEFAULT_DEDUPE_MS);
    this.grabber = new FrameGrabber(opts.maxSide);
    this.kioskMode = opts.kiosk ?? false;
  }

  get state(): ScanState {
    return this.stateNow;
  }

  get kiosk(): boolean {
    return this.kioskMode;
  }

  /** Switches kiosk mode; turning it on while a result is shown goes on scanning. */
  setKiosk(on: boolean): void {
    this.kioskMode = on;
    if (on && this.stateNow === 'result') this.scheduleReady();
  }

  start(): void {
    if (this.stateNow !== 'stopped') return;
    this.setState('ready');
    this.schedule();
  }

  stop(): void {
    this.clearTimers();
    this.setState('stopped');
  }

  /** Stops decoding frames until resume() (the camera may keep running). */
  pause(): void {
    if (this.stateNow === 'stopped') return;
    this.clearTimers();
    this.setState('paused');
  }

  /** Back to scanning: after pause(), or "scan next" after a result in staff mode. */
  resume(): void {
    if (this.stateNow === 'stopped' || this.stateNow === 'busy' || this.stateNow === 'ready') return;
    this.clearTimers();
    // The code just shown was probably still in front of the camera meanwhile.
    if (this.stateNow === 'result' && this.lastAccepted !== undefined) this.dedupe.touch(this.lastAccepted, performance.now());
    this.setState('ready');
    this.schedule();
  }

  /** Forgets recently seen codes, so the same code counts again at once. */
  resetDedupe(): void {
    this.dedupe.clear();
    this.lastAccepted = undefined;
  }

  /**
   * A code from elsewhere (a keyboard-wedge scanner, typed by staff): goes
   * through the same dedupe and states as a camera scan. False when ignored.
   */
  submit(text: string, source: ScanSource = 'keyboard'): boolean {
    return this.handle(text, source);
  }

  // ---- the loop ---------------------------------------------------------------

  private setState(s: ScanState): void {
    if (s === this.stateNow) return;
    this.stateNow = s;
    this.opts.onState?.(s);
  }

  private clearTimers(): void {
    const video = this.opts.video as VideoWithFrameCallback;
    if (this.frameHandle !== undefined) video.cancelVideoFrameCallback?.(this.frameHandle);
    this.frameHandle = undefined;
    clearTimeout(this.timer);
    this.timer = undefined;
    clearTimeout(this.resultTimer);
    this.resultTimer = undefined;
  }

  /** The next tick: on the next video frame, or by timer where frame callbacks are missing. */
  private schedule(): void {
    if (this.stateNow !== 'ready' || this.frameHandle !== undefined || this.timer !== undefined) return;
    const video = this.opts.video as VideoWithFrameCallback;
    const wait = Math.max(0, this.lastDecodeAt + (this.opts.intervalMs ?? 120) - performance.now());
    if (wait > 0) {
      this.timer = setTimeout(() => {
        this.timer = undefined;
        this.schedule();
      }, wait);
    } else if (video.requestVideoFrameCallback && !video.paused) {
      this.frameHandle = video.requestVideoFrameCallback(() => {
        this.frameHandle = undefined;
        void this.tick();
      });
    } else {
      this.timer = setTimeout(() => {
        this.timer = undefined;
        void this.tick();
      }, 50);
    }
  }

  private async tick(): Promise<void> {
    if (this.stateNow !== 'ready' || this.decoding) return;
    this.decoding = true;
    this.lastDecodeAt = performance.now();
    let texts: string[] = [];
    try {
      const frame = this.grabber.grab(this.opts.video);
      if (frame) {
        const t0 = performance.now();
        texts = await this.opts.decoder.decode(frame);
        const ms = performance.now() - t0;
        const s = this.stats;
        s.frames += 1;
        s.sightings += texts.length;
        s.lastDecodeMs = ms;
        this.totalDecodeMs += ms;
        s.meanDecodeMs = this.totalDecodeMs / s.frames;
        if (texts.length > 0) {
          this.foundFrames += 1;
          this.totalFoundMs += ms;
        }
        const empty = s.frames - this.foundFrames;
        s.meanFoundMs = this.foundFrames ? this.totalFoundMs / this.foundFrames : 0;
        s.meanEmptyMs = empty ? (this.totalDecodeMs - this.totalFoundMs) / empty : 0;
        s.frameWidth = frame.width;
        s.frameHeight = frame.height;
        this.opts.onStats?.(s);
      }
    } catch (err) {
      this.opts.onError?.(err);
    } finally {
      this.decoding = false;
    }
    // Paused or stopped while decoding: drop what was read.
    if (this.stateNow !== 'ready') return;
    for (const text of texts) if (this.handle(text, 'camera')) break;
    this.schedule();
  }

  private handle(text: string, source: ScanSource): boolean {
    if (this.stateNow === 'stopped' || this.stateNow === 'busy') return false;
    if (source === 'camera' && this.stateNow !== 'ready') return false;
    if (DELIBERATE.has(source)) this.dedupe.touch(text, performance.now());
    else if (!this.dedupe.accept(text, performance.now())) return false;
    this.clearTimers();
    this.stats.accepted += 1;
    this.lastAccepted = text;
    this.setState('busy');
    let outcome: void | Promise<void> = undefined;
    try {
      outcome = this.opts.onCode(text, source);
    } catch (err) {
      this.opts.onError?.(err);
    }
    const done = () => {
      if (this.stateNow !== 'busy') return; // stopped meanwhile
      this.setState('result');
      if (this.kioskMode) this.scheduleReady();
    };
    if (outcome instanceof Promise) {
      outcome.catch((err: unknown) => this.opts.onError?.(err)).finally(done);
    } else {
      done();
    }
    return true;
  }

  private scheduleReady(): void {
    clearTimeout(this.resultTimer);
    this.resultTimer = setTimeout(() => {
      this.resultTimer = undefined;
      if (this.stateNow === 'result') this.resume();
    }, this.opts.resultMs ?? 2500);
  }
}
