/**
 * /scan-test: the camera scanner on its own, without the check-in API. It
 * reads QR codes from the camera (and a keyboard-wedge scanner), counts each
 * code once, and shows what it read. The check-in scanner page builds on it.
 *
 * URL options: `?kiosk=1` auto-scan mode, `?hold=ms` how long a result stays
 * in kiosk mode, `?dedupe=ms` the dedupe window, `?decoder=zxing` skip the
 * browser's BarcodeDetector.
 */
import { onLocaleChange, setText, type MessageKey } from './lib/i18n.js';
import { byId, initPage, show } from './lib/page.js';
import { startCamera, toCameraError, type Camera } from './lib/scanner/camera.js';
import { createDecoder, type QrDecoder } from './lib/scanner/decoder.js';
import { feedback, setMuted, unlockAudioOnFirstGesture } from './lib/scanner/feedback.js';
import { attachKeyboardWedge } from './lib/scanner/keyboard-wedge.js';
import { ScanLoop, type ScanSource, type ScanState, type ScanStats } from './lib/scanner/scan-loop.js';

initPage();
unlockAudioOnFirstGesture();

const params = new URLSearchParams(location.search);
const num = (name: string): number | undefined => {
  const v = Number(params.get(name));
  return params.has(name) && Number.isFinite(v) && v >= 0 ? v : undefined;
};

const video = byId<HTMLVideoElement>('video');
const viewfinder = byId('viewfinder');
const statusLine = byId('scan-status');
const cameraError = byId('camera-error');
const resultBox = byId('scan-result');
const scanNext = byId<HTMLButtonElement>('scan-next');
const startButton = byId<HTMLButtonElement>('start-camera');
const kioskBox = byId<HTMLInputElement>('kiosk');
const soundBox = byId<HTMLInputElement>('sound');
const historyList = byId('history');

kioskBox.checked = params.get('kiosk') === '1';

let camera: Camera | null = null;
let loop: ScanLoop | null = null;
let decoder: QrDecoder | null = null;
/** The camera start under way, so that two taps do not start two cameras. */
let starting: Promise<void> | null = null;

const STATUS: Readonly<Record<ScanState, MessageKey>> = {
  ready: 'scanner.ready',
  busy: 'scanner.busy',
  result: 'scanner.resultWait',
  paused: 'scanner.paused',
  stopped: 'scanner.paused',
};

function onState(state: ScanState): void {
  viewfinder.dataset.state = state;
  document.body.dataset.scanState = state;
  if (state === 'ready') show(resultBox, false);
  setText(statusLine, state === 'result' && loop?.kiosk ? 'scanner.resultKiosk' : STATUS[state]);
  show(scanNext, state === 'result' && !loop?.kiosk);
}

function showStats(s: Readonly<ScanStats>): void {
  byId('frames').textContent = String(s.frames);
  byId('sightings').textContent = String(s.sightings);
  const el = byId('decode-ms');
  el.dataset.lastMs = s.lastDecodeMs.toFixed(1);
  el.dataset.meanMs = s.meanDecodeMs.toFixed(1);
  el.dataset.meanFoundMs = s.meanFoundMs.toFixed(1);
  el.dataset.meanEmptyMs = s.meanEmptyMs.toFixed(1);
  el.dataset.size = `${s.frameWidth}x${s.frameHeight}`;
  setText(el, 'scanner.decodeTimeValue', { last: Math.round(s.lastDecodeMs), mean: Math.round(s.meanDecodeMs), size: `${s.frameWidth}×${s.frameHeight}` });
}

/** A new code: the real scanner sends it to the check-in API here; this page accepts every code. */
function onCode(text: string, source: ScanSource): void {
  const count = byId('decoded-count');
  count.textContent = String(Number(count.textContent) + 1);
  byId('decoded').textContent = text;

  resultBox.dataset.status = 'ok';
  byId('scan-result-icon').textContent = '✓';
  setText(byId('scan-result-heading'), 'scanner.resultOk');
  byId('scan-result-text').textContent = text;
  show(resultBox);
  feedback('ok');

  const li = document.createElement('li');
  li.dataset.source = source;
  const code = document.createElement('span');
  code.className = 'scan-code';
  code.textContent = text;
  const via = document.createElement('span');
  via.className = 'hint';
  setText(via, source === 'camera' ? 'scanner.source.camera' : 'scanner.source.keyboard');
  li.append(code, ' · ', via);
  historyList.prepend(li);
  while (historyList.children.length > 10) historyList.lastElementChild?.remove();
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
    : createDecoder({ prefer: params.get('decoder') === 'zxing' ? 'zxing-wasm' : undefined }).then((d) => {
        decoder = d;
        byId('decoder').textContent = d.kind;
        setText(byId('decoder-name'), `scanner.decoder.${d.kind}`);
        console.info(`scanner: ${d.kind} ready in ${d.readyMs.toFixed(0)} ms`);
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
  if (!loop) {
    loop = new ScanLoop({
      video,
      decoder: d,
      onCode,
      onState,
      onStats: showStats,
      onError: (err) => console.warn('scanner: decode failed', err),
      kiosk: kioskBox.checked,
      resultMs: num('hold'),
      dedupeMs: num('dedupe'),
    });
  }
  loop.start();
  if (loop.state === 'paused') loop.resume();
}

function stop(): void {
  loop?.pause();
  camera?.stop();
  camera = null;
}

function begin(): void {
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
    if (loop) loop.submit(text, 'keyboard');
    else onCode(text, 'keyboard'); // no camera: the keyboard scanner alone
  },
});

// A hidden page gives the camera back (and saves the battery); it restarts when shown again.
document.addEventListener('visibilitychange', () => {
  if (document.hidden) stop();
  else if (!camera && viewfinder.dataset.state !== 'error') begin();
});

begin();
