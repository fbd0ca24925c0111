/**
 * The page's one WebAudio context, made on first use (the scanner's beeps,
 * the queue's chimes). Null where the browser has none or refuses one; every
 * caller then stays silent.
 */
let ctx: AudioContext | null = null;

export function audioContext(): AudioContext | null {
  if (ctx) return ctx;
  const Ctor = globalThis.AudioContext ?? (globalThis as { webkitAudioContext?: typeof AudioContext }).webkitAudioContext;
  if (!Ctor) return null;
  try {
    ctx = new Ctor();
  } catch {
    return null;
  }
  return ctx;
}
