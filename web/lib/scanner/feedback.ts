/**
 * Sound and vibration after a scan: a short rising double beep for "ok", a
 * low buzz for "refused". WebAudio only (no audio files); browsers start
 * audio only after a user gesture, so `unlockAudio()` is called from the
 * first tap or key press and an unattended kiosk that never saw one stays
 * silent rather than failing.
 */

import { audioContext } from '../audio-context.js';

type FeedbackKind = 'ok' | 'refused';

interface Tone {
  freq: number;
  ms: number;
  type: OscillatorType;
}

const TONES: Readonly<Record<FeedbackKind, readonly Tone[]>> = {
  ok: [
    { freq: 1046, ms: 90, type: 'sine' },
    { freq: 1568, ms: 130, type: 'sine' },
  ],
  refused: [{ freq: 196, ms: 380, type: 'square' }],
};

const VIBRATION: Readonly<Record<FeedbackKind, number[]>> = {
  ok: [70],
  refused: [120, 80, 120],
};

let muted = false;

/** Call from a user gesture (tap, key): lets later beeps play. */
function unlockAudio(): void {
  const c = audioContext();
  if (c && c.state === 'suspended') void c.resume().catch(() => {});
}

/** Unlocks audio on the first tap or key press anywhere on the page. */
export function unlockAudioOnFirstGesture(): void {
  const once = () => {
    // After the event, not inside it: creating the AudioContext can take tens of ms, and that
    // first key press may be the first key of a keyboard-wedge scan, whose next keys are already
    // coming. The gesture's activation outlasts the event, so audio still unlocks.
    setTimeout(unlockAudio, 0);
    removeEventListener('pointerdown', once, true);
    removeEventListener('keydown', once, true);
  };
  addEventListener('pointerdown', once, true);
  addEventListener('keydown', once, true);
}

export function setMuted(on: boolean): void {
  muted = on;
}

export function isMuted(): boolean {
  return muted;
}

function beep(kind: FeedbackKind): void {
  const c = audioContext();
  if (!c || c.state !== 'running') return;
  let at = c.currentTime + 0.01;
  for (const tone of TONES[kind]) {
    const osc = c.createOscillator();
    const gain = c.createGain();
    osc.type = tone.type;
    osc.frequency.value = tone.freq;
    const end = at + tone.ms / 1000;
    // Short ramps at both ends: no clicks.
    gain.gain.setValueAtTime(0, at);
    gain.gain.linearRampToValueAtTime(kind === 'ok' ? 0.25 : 0.12, at + 0.01);
    gain.gain.setValueAtTime(kind === 'ok' ? 0.25 : 0.12, end - 0.02);
    gain.gain.linearRampToValueAtTime(0, end);
    osc.connect(gain).connect(c.destination);
    osc.start(at);
    osc.stop(end);
    at = end + 0.03;
  }
}

/** Beeps and vibrates (where the device can) for a scan's outcome. */
export function feedback(kind: FeedbackKind): void {
  if (muted) return;
  try {
    beep(kind);
  } catch {
    // audio is a nicety
  }
  try {
    navigator.vibrate?.(VIBRATION[kind]);
  } catch {
    // not allowed without a gesture, or no vibrator
  }
}
