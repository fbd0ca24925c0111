/**
 * A QR queue's place: its services (each with a ticket prefix and its own
 * waiting line) and its counters (desks, rooms), each serving one or more
 * services. Plain data, as the repositories hand it out.
 */

/** What a service asks on joining. */
export const ASK_KINDS = ['none', 'name', 'phone'] as const;
export type AskKind = (typeof ASK_KINDS)[number];

export const SERVICE_DEFAULTS = { ask: 'none' as AskKind, maxWaiting: 500, nearAhead: 3, noShowSeconds: 180, moreTimePlaces: 3 };

export interface QueueService {
  id: string;
  queueId: string;
  name: string;
  prefix: string;
  position: number;
  ask: AskKind;
  maxWaiting: number;
  nearAhead: number;
  noShowSeconds: number;
  moreTimePlaces: number;
  open: boolean;
  /** The `line:` channel's version. */
  lineVersion: number;
}

export interface QueueCounter {
  id: string;
  queueId: string;
  name: string;
  position: number;
  serviceIds: string[];
  /** Staffed now; the wait estimate counts open counters only. */
  open: boolean;
}

export interface Queue {
  id: string;
  name: string;
  timezone: string;
  /** The key entrance codes are signed with (domain/entrance-code.ts). */
  entranceKey: Uint8Array;
  /** The `board:` channel's version. */
  version: number;
  createdBy: string | null;
  createdAt: number;
  /** Whether the place's static poster code is accepted (domain/entrance-code.ts's posterCode). */
  posterEnabled: boolean;
}

/** What a provisioned device of a place may do: a board shows the calls and the entrance code; a kiosk also issues tickets by hand. */
export const QUEUE_DEVICE_KINDS = ['board', 'kiosk'] as const;
export type QueueDeviceKind = (typeof QUEUE_DEVICE_KINDS)[number];

/** A display board or kiosk provisioned for a place (its token is shown once and never kept). */
export interface QueueDevice {
  id: string;
  queueId: string;
  name: string;
  kind: QueueDeviceKind;
  createdAt: number;
  revokedAt: number | null;
}

/** A place with everything in it. */
export interface QueuePlace extends Queue {
  services: QueueService[];
  counters: QueueCounter[];
}
