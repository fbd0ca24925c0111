/**
 * Hardware scanners in keyboard mode ("keyboard wedge") type the code as a
 * burst of keystrokes a few milliseconds apart, then Enter. This collects
 * such bursts into a code; people type far slower, so their typing (in an
 * input or anywhere else) never becomes a scan.
 *
 * A burst typed into a focused text field is taken out of the field again
 * and its Enter does not submit the form.
 */

interface KeyboardWedgeOptions {
  onCode: (text: string) => void;
  /** The longest pause between two keys of one burst (default 50 ms; people need 100+). */
  maxGapMs?: number;
  /** The shortest code accepted (default 4 characters). */
  minLength?: number;
  /** Where to listen (default: the whole document). */
  target?: Document | HTMLElement;
}

function isTextField(el: EventTarget | null): el is HTMLInputElement | HTMLTextAreaElement {
  return el instanceof HTMLTextAreaElement || (el instanceof HTMLInputElement && /^(text|search|url|tel|email|password|number|)$/.test(el.type));
}

/** Starts listening; returns the function that stops. */
export function attachKeyboardWedge(opts: KeyboardWedgeOptions): () => void {
  const maxGap = opts.maxGapMs ?? 50;
  const minLength = opts.minLength ?? 4;
  const target = opts.target ?? document;
  let buffer = '';
  /** When the previous key was sent (its event time) and when this page got to handle it. */
  let lastSentAt = -Infinity;
  let lastHandledAt = -Infinity;
  /** The field the burst was typed into, and its value before the burst. */
  let field: HTMLInputElement | HTMLTextAreaElement | null = null;
  let fieldBefore = '';

  /**
   * The sender's pause before this key: from the later of the previous key's
   * own time and the moment this page handled it. While the camera's decode
   * holds the main thread, a key is handled late; a sender that waits until
   * each key is taken (CDP, some Bluetooth stacks) only then sends the next,
   * so measured from the previous key's event time alone that wait looked
   * like a person's pause and dropped the first character (`p1.` for `sp1.`).
   * Keys queued behind a busy page keep their own times (event.timeStamp, not
   * the clock when handled), so a real burst stays a burst.
   */
  const pauseBefore = (ev: Event): number => {
    const handledAt = performance.now();
    // timeStamp is on performance.now()'s clock; an old browser's epoch time (or none) falls back to now.
    const sentAt = ev.timeStamp > 0 && ev.timeStamp <= handledAt + 1000 ? ev.timeStamp : handledAt;
    const gap = sentAt - Math.max(lastSentAt, lastHandledAt);
    lastSentAt = sentAt;
    lastHandledAt = handledAt;
    return gap;
  };

  const reset = () => {
    buffer = '';
    field = null;
  };

  const onKeyDown = (ev: Event) => {
    if (!(ev instanceof KeyboardEvent)) return;
    // IME composition (Chinese input) and shortcuts are never a scanner.
    if (ev.isComposing || ev.ctrlKey || ev.metaKey || ev.altKey) return reset();
    const gap = pauseBefore(ev);
    if (ev.key === 'Enter') {
      if (buffer.length >= minLength && gap <= maxGap) {
        const code = buffer;
        if (field && field.value.endsWith(code) && field.value.length === fieldBefore.length + code.length) {
          field.value = fieldBefore; // undo the scanner's typing in the field
        }
        ev.preventDefault();
        ev.stopPropagation();
        reset();
        opts.onCode(code);
        return;
      }
      return reset();
    }
    if (ev.key.length !== 1) {
      // Shift comes before capitals from many scanners; anything else ends a burst.
      if (ev.key !== 'Shift') reset();
      return;
    }
    if (gap > maxGap || buffer === '') {
      buffer = '';
      field = isTextField(ev.target) ? ev.target : null;
      fieldBefore = field?.value ?? '';
    }
    buffer += ev.key;
  };

  target.addEventListener('keydown', onKeyDown, { capture: true });
  return () => target.removeEventListener('keydown', onKeyDown, { capture: true });
}
