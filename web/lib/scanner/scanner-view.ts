/**
 * The camera scanner's view, shared by /scan-test and /scanner: the video and
 * its viewfinder states, the status line, the camera error and "start the
 * camera" button, "scan next", the kiosk and sound switches, the keyboard-wedge
 * scanner, and giving the camera back while the page is hidden. The page
 * decides what a code means (`onCode`) and shows its own result in
 * `#scan-result`; the view hides it again when scanning goes on.
 *
 * It expects the page's elements `#video`, `#viewfinder`, `#scan-status`,
 * `#camera-error`, `#scan-result`, `#scan-next`, `#start-camera`, `#kiosk`
 * and `#sound` (see web/partials/scanner-controls.html).
 */
import { onLocaleChange, setText, type MessageKey } from '../i18n.js';
import { byId, show } from '../page.js';
import { startCamera, toCameraError, type Camera } from './camera.js';
import { createDecoder, type DecoderKind, type QrDecoder } from './decoder.js';
import { setMuted } from './feedback.js';
import { attachKeyboardWedge } from './keyboard-wedge.js';
import { ScanLoop, type ScanLoopOptions, type ScanSource, type ScanState } from './scan-loop.js';

interface ScannerViewOptions {
  /** A new code from the camera or a keyboard scanner; a returned promise keeps the view busy. */
  onCode: (text: string, source: ScanSource) => void | Promise<void>;
  /** Whether scanning may start and keyboard codes count (the check-in scanner waits for a session). Default: always. */
  enabled?: () => boolean;
  /** Kiosk (auto-scan) mode at start; the kiosk switch changes it later. */
  kiosk?: boolean;
  /** In kiosk mode, how long a result stays on screen (ScanLoop's default if unset). */
  resultMs?: number;
  /** The dedupe window (ScanLoop's default if unset). */
  dedupeMs?: number;
  /** Skip the browser's BarcodeDetector and use this reader. */
  preferDecoder?: DecoderKind;
  /** The QR reader has loaded (once). */
  onDecoder?: (decoder: QrDecoder) => void;
  onStats?: ScanLoopOptions['onStats'];
}

interface ScannerView {
  /** The scan loop, once the camera and the reader first came up. */
  readonly loop: ScanLoop | null;
  /** Whether the camera is running. */
  readonly cameraOn: boolean;
  /** Starts the camera and the scan loop (a second call while starting does nothing). */
  begin(): void;
  /** Pauses scanning and gives the camera back. */
  stop(): void;
  /** A code (or, `search`, an attendee id) from elsewhere on the page, through the loop's states when the camera runs. */
  submit(text: string, source: ScanSource): void;
}

const STATUS: Readonly<Record<ScanState, MessageKey>> = {
  ready: 'scanner.ready',
  busy: 'scanner.busy',
  result: 'scanner.resultWait',
  paused: 'scanner.paused',
  stopped: 'scanner.paused',
};

/** A non-negative number from the address bar's `?name=`, or undefined. */
export function numberParam(params: URLSearchParams, name: string): number | undefined {
  const v = Number(params.get(name));
  return params.has(name) && Number.isFinite(v) && v >= 0 ? v : undefined;
}

export function mountScannerView(opts: ScannerViewOptions): ScannerView {
  const enabled = opts.enabled ?? (() => true);
  const video = byId<HTMLVideoElement>('video');
  const viewfinder = byId('viewfinder');
  const statusLine = byId('scan-status');
  const cameraError = byId('camera-error');
  const resultBox = byId('scan-result');
  const scanNext = byId<HTMLButtonElement>('scan-next');
  const startButton = byId<HTMLButtonElement>('start-camera');
  const kioskBox = byId<HTMLInputElement>('kiosk');
  const soundBox = byId<HTMLInputElement>('sound');

  kioskBox.checked = opts.kiosk ?? false;

  let camera: Camera | null = null;
  let loop: ScanLoop | null = null;
  let decoder: QrDecoder | null = null;
  /** The camera start under way, so that two taps do not start two cameras. */
  let starting: Promise<void> | null = null;

  function onState(state: ScanState): void {
    viewfinder.dataset.state = state;
    document.body.dataset.scanState = state;
    if (state === 'ready') show(resultBox, false);
    setText(statusLine, state === 'result' && loop?.kiosk ? 'scanner.resultKiosk' : STATUS[state]);
    show(scanNext, state === 'result' && !loop?.kiosk);
  }

  function showCameraError(err: unknown): void {
    const { code } = toCameraError(err);
    setText(cameraError, `scanner.error.${code}` as MessageKey);
    show(cameraError);
    viewfinder.dataset.state = 'error';
    show(startButton, code !== 'camera_unsupported' && code !== 'camera_insecure' && code !== 'camera_not_found');
    statusLine.textContent = '';
    delete statusLine.dataset.i18n;
  }

  async function start(): Promise<void> {
    show(cameraError, false);
    show(startButton, false);
    viewfinder.dataset.state = 'starting';
    setText(statusLine, 'scanner.starting');
    // The reader loads while the camera starts (the user may still be answering the permission prompt).
    const decoderReady = decoder
      ? Promise.resolve(decoder)
      : createDecoder({ prefer: opts.preferDecoder }).then((d) => {
          decoder = d;
          opts.onDecoder?.(d);
          return d;
        });
    decoderReady.catch(() => {});
    try {
      camera = await startCamera(video);
    } catch (err) {
      showCameraError(err);
      return;
    }
    let d: QrDecoder;
    try {
      d = await decoderReady;
    } catch (err) {
      console.error('scanner: the QR reader failed to load', err);
      setText(cameraError, 'scanner.error.decoder');
      show(cameraError);
      return;
    }
    loop ??= new ScanLoop({
      video,
      decoder: d,
      onCode: opts.onCode,
      onState,
      onStats: opts.onStats,
      onError: (err) => console.warn('scanner: decode failed', err),
      kiosk: kioskBox.checked,
      resultMs: opts.resultMs,
      dedupeMs: opts.dedupeMs,
    });
    loop.start();
    if (loop.state === 'paused') loop.resume();
  }

  function stop(): void {
    loop?.pause();
    camera?.stop();
    camera = null;
  }

  function begin(): void {
    if (!enabled()) return;
    starting ??= start().finally(() => (starting = null));
  }

  scanNext.addEventListener('click', () => loop?.resume());
  startButton.addEventListener('click', begin);
  kioskBox.addEventListener('change', () => {
    loop?.setKiosk(kioskBox.checked);
    if (loop) onState(loop.state);
  });
  soundBox.addEventListener('change', () => setMuted(!soundBox.checked));
  onLocaleChange(() => {
    if (loop && viewfinder.dataset.state !== 'error') onState(loop.state);
  });

  attachKeyboardWedge({
    onCode: (text) => {
      if (!enabled()) return;
      if (loop) loop.submit(text, 'keyboard');
      else void opts.onCode(text, 'keyboard'); // no camera: the keyboard scanner alone
    },
  });

  // A hidden page gives the camera back (and saves the battery); it restarts when shown again.
  document.addEventListener('visibilitychange', () => {
    if (document.hidden) stop();
    else if (!camera && enabled() && viewfinder.dataset.state !== 'error') begin();
  });

  return {
    get loop() {
      return loop;
    },
    get cameraOn() {
      return camera !== null;
    },
    begin,
    stop,
    submit(text, source) {
      if (!enabled()) return;
      if (loop) loop.submit(text, source);
      else void opts.onCode(text, source);
    },
  };
}
