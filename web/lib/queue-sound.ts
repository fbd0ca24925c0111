/**
 * The queue's sounds: a WebAudio chime (no audio files) for the phone's
 * "your turn" and for the board when no voice is available, and the board's
 * spoken announcement through speechSynthesis. Browsers start audio only
 * after a gesture (or a kiosk flag), so everything here fails quietly.
 */

import { audioContext } from './audio-context.js';

/** Lets later sounds play: call on the first tap or key press. */
export function unlockAudioOnFirstGesture(): void {
  const once = () => {
    const c = audioContext();
    if (c && c.state === 'suspended') void c.resume().catch(() => {});
    removeEventListener('pointerdown', once, true);
    removeEventListener('keydown', once, true);
  };
  addEventListener('pointerdown', once, true);
  addEventListener('keydown', once, true);
}

/** Three rising tones (the "ding-dong" of a service hall); `repeat` times. Returns false when audio cannot play. */
export function chime(repeat = 1): boolean {
  const c = audioContext();
  if (!c) return false;
  if (c.state === 'suspended') void c.resume().catch(() => {});
  try {
    let at = c.currentTime + 0.02;
    for (let r = 0; r < repeat; r++) {
      for (const freq of [659, 784, 1047]) {
        const osc = c.createOscillator();
        const gain = c.createGain();
        osc.type = 'sine';
        osc.frequency.value = freq;
        const end = at + 0.32;
        gain.gain.setValueAtTime(0, at);
        gain.gain.linearRampToValueAtTime(0.3, at + 0.02);
        gain.gain.exponentialRampToValueAtTime(0.001, end);
        osc.connect(gain).connect(c.destination);
        osc.start(at);
        osc.stop(end);
        at = end + 0.04;
      }
      at += 0.3;
    }
    return c.state === 'running';
  } catch {
    return false;
  }
}

/** The phone's "your turn": chime and vibration where allowed. */
export function yourTurnAlert(): void {
  chime(2);
  try {
    navigator.vibrate?.([400, 150, 400, 150, 400]);
  } catch {
    // not allowed without a gesture, or no vibrator
  }
}

/** The near-turn nudge: one short vibration and one chime. */
export function nearTurnAlert(): void {
  chime(1);
  try {
    navigator.vibrate?.(200);
  } catch {
    // ignore
  }
}

/** A voice for `lang` ('zh' / 'en'), if the browser has one. */
function voiceFor(lang: string): SpeechSynthesisVoice | undefined {
  const voices = globalThis.speechSynthesis?.getVoices() ?? [];
  return voices.find((v) => v.lang.toLowerCase().replace('_', '-').startsWith(lang));
}

/**
 * Says each `[lang, text]` in turn when a voice for it exists; the chime
 * plays first, and alone when no voice is there. Returns the languages spoken.
 */
export function announce(lines: readonly (readonly [lang: 'zh-CN' | 'en', text: string])[]): string[] {
  chime(1);
  const synth = globalThis.speechSynthesis;
  if (!synth || typeof SpeechSynthesisUtterance === 'undefined') return [];
  const spoken: string[] = [];
  for (const [lang, text] of lines) {
    const voice = voiceFor(lang === 'zh-CN' ? 'zh' : 'en');
    if (!voice) continue;
    const u = new SpeechSynthesisUtterance(text);
    u.voice = voice;
    u.lang = voice.lang;
    u.rate = 0.9;
    synth.speak(u);
    spoken.push(lang);
  }
  return spoken;
}
