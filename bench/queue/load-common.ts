/** IPC between the queue's `load` phase (load.ts) and its phone processes (phone-client.ts). */
import type { Spread } from '../live/common.js';

export interface PhoneSpec {
  id: string;
  token: string;
  service: string;
  order: number;
  ahead: number;
  version: number;
  live: { channel: string; token: string };
  line: { channel: string; token: string };
}

export interface PhoneSetup {
  cmd: 'connect';
  /** The nodes: phone i of this process talks to urls[i % urls.length]. */
  urls: string[];
  phones: PhoneSpec[];
  localAddresses: string[];
  /** Sockets opening at once. */
  concurrency: number;
}

/** One call-next: the called ticket, its service and place in line, and when the request left (clockMs). */
export interface CallRecord {
  ticketId: string;
  service: string;
  order: number;
  t0: number;
}

export type PhoneCommand = PhoneSetup | { cmd: 'mark' } | { cmd: 'collect'; calls: CallRecord[] } | { cmd: 'check'; sample: number } | { cmd: 'exit' };

export interface PhonesCallStats {
  /** Per call, in the order given: the line version that reflects it, the local phones still waiting then, those that never passed it, and the first and latest one's time, ms from the call's request. */
  perCall: { version: number | null; phones: number; missed: number; firstMs: number | null; lastMs: number | null }[];
  /** Every (call, waiting phone) pair: ms from the call's request until that phone had applied it. */
  all: number[];
  /** Re-reads of the ticket after a gap, while recording. */
  resyncs: number;
  errorFrames: number;
  closed: number;
  loopDelay?: Spread;
}

export interface PhonesCheck {
  checked: number;
  waiting: number;
  mismatched: number;
  examples: string[];
  phonesWaiting: number;
  aheadSpread: Spread;
}

export type PhoneMessage =
  | { type: 'progress'; connected: number }
  | { type: 'connected'; connected: number; failed: number; firstError?: string; ms: number }
  | { type: 'marked' }
  | { type: 'stats'; stats: PhonesCallStats }
  | { type: 'checked'; check: PhonesCheck };
