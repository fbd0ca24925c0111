/**
 * The unit of the live protocol: "channel X is now at version N". `type` names
 * the last change (`approved`, `checked_in`, ...); `data` is the full state a
 * screen needs, so any single event is a complete snapshot.
 */
export interface LiveEvent {
  channel: string;
  version: number;
  type: string;
  data: unknown;
}

const CHANNEL_RE = /^([a-z][a-z0-9_-]{0,31}):([A-Za-z0-9_.-]{1,128})$/;

/** Splits `kind:id`; returns null for anything that is not a well-formed channel name. */
export function parseChannel(channel: unknown): { kind: string; id: string } | null {
  if (typeof channel !== 'string') return null;
  const m = CHANNEL_RE.exec(channel);
  return m ? { kind: m[1]!, id: m[2]! } : null;
}
