/**
 * /scan-test: the camera scanner on its own, without the check-in API. It
 * reads QR codes from the camera (and a keyboard-wedge scanner), counts each
 * code once, and shows what it read. The check-in scanner page builds on it.
 *
 * URL options: `?kiosk=1` auto-scan mode, `?hold=ms` how long a result stays
 * in kiosk mode, `?dedupe=ms` the dedupe window, `?decoder=zxing` skip the
 * browser's BarcodeDetector.
 */
import { setText } from './lib/i18n.js';
import { byId, initPage, show } from './lib/page.js';
import { feedback, unlockAudioOnFirstGesture } from './lib/scanner/feedback.js';
import type { ScanSource, ScanStats } from './lib/scanner/scan-loop.js';
import { mountScannerView, numberParam } from './lib/scanner/scanner-view.js';

initPage();
unlockAudioOnFirstGesture();

const params = new URLSearchParams(location.search);
const resultBox = byId('scan-result');
const historyList = byId('history');

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

const view = mountScannerView({
  onCode,
  onStats: showStats,
  kiosk: params.get('kiosk') === '1',
  resultMs: numberParam(params, 'hold'),
  dedupeMs: numberParam(params, 'dedupe'),
  preferDecoder: params.get('decoder') === 'zxing' ? 'zxing-wasm' : undefined,
  onDecoder: (d) => {
    byId('decoder').textContent = d.kind;
    setText(byId('decoder-name'), `scanner.decoder.${d.kind}`);
    console.info(`scanner: ${d.kind} ready in ${d.readyMs.toFixed(0)} ms`);
  },
});

view.begin();
