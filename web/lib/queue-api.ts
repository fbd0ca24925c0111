/**
 * The QR queue's API as the pages use it: the visitor's join page and ticket
 * (anyone; the ticket's token is the only key), the counter console and the
 * display board (signed-in staff of the place, an admin, or a board device of
 * the place with its token kept in localStorage), and what the
 * `ticket:`, `line:` and `board:` channels carry.
 *
 * The shapes are the server's own (`Static<>` of its TypeBox schemas),
 * imported as types only: no TypeBox reaches the page.
 */
import type {
  BoardFrame,
  BoardView,
  EntranceCode,
  JoinInfo,
  LineFrame,
  QueueView,
  ServiceView,
  TicketBody,
  TicketState,
  TicketView,
} from '../../src/flows/queue/queue-schemas.js';
import { api, deviceApi } from './api.js';

export type { BoardView, EntranceCode, LineFrame, QueueView, TicketState, TicketView };
export type TicketStatus = TicketState['status'];
export type QueueServiceView = ServiceView;
export type JoinView = JoinInfo;
export type JoinService = JoinView['services'][number];
/** What `board:<queue>` carries. */
export type BoardState = BoardFrame;
export type BoardCall = NonNullable<BoardFrame['now']>;

const enc = encodeURIComponent;
const tq = (token: string) => `?token=${enc(token)}`;

export const fetchJoin = (queueId: string, code: string) => api<JoinView>('GET', `/api/v1/queues/${enc(queueId)}/join?entrance_code=${enc(code)}`);
export const takeTicket = (queueId: string, body: TicketBody) =>
  api<TicketView & { token: string }>('POST', `/api/v1/queues/${enc(queueId)}/tickets`, body);
export const fetchTicket = (id: string, token: string) => api<TicketView>('GET', `/api/v1/tickets/${enc(id)}${tq(token)}`);
export const leaveTicket = (id: string, token: string) => api<TicketView>('DELETE', `/api/v1/tickets/${enc(id)}${tq(token)}`);
export const moreTime = (id: string, token: string) => api<TicketView>('POST', `/api/v1/tickets/${enc(id)}/more-time${tq(token)}`);

export const fetchQueues = () => api<{ queues: QueueView[] }>('GET', '/api/v1/queues');
export const fetchQueue = (id: string) => api<QueueView>('GET', `/api/v1/queues/${enc(id)}`);

// A board device keeps its token per place (a screen shows one place), out of the URL once read.
const deviceKey = (queueId: string) => `scanpass_queue_device:${queueId}`;
export function boardDeviceToken(queueId: string): string | null {
  try {
    return localStorage.getItem(deviceKey(queueId));
  } catch {
    return null;
  }
}
export function setBoardDeviceToken(queueId: string, token: string | null): void {
  try {
    if (token) localStorage.setItem(deviceKey(queueId), token);
    else localStorage.removeItem(deviceKey(queueId));
  } catch {
    // storage disabled: the screen must be provisioned again after a reload
  }
}
/** What shows a place: as its board device when this browser holds one's token, else as the signed-in account. */
const showApi = <T>(queueId: string, path: string): Promise<T> => {
  const token = boardDeviceToken(queueId);
  return token ? deviceApi<T>(token, 'GET', path) : api<T>('GET', path);
};
export const fetchBoard = (id: string) => showApi<BoardView>(id, `/api/v1/queues/${enc(id)}/board`);
export const fetchEntranceCode = (id: string) => showApi<EntranceCode>(id, `/api/v1/queues/${enc(id)}/entrance-code`);


export const setCounterOpen = (counterId: string, open: boolean) => api<QueueView['counters'][number]>('PATCH', `/api/v1/counters/${enc(counterId)}`, { open });
export const callNext = (counterId: string) => api<{ ticket: TicketView }>('POST', `/api/v1/counters/${enc(counterId)}/call`);
type StaffAction = 'recall' | 'done' | 'no-show';
export const ticketAction = (id: string, action: StaffAction) => api<{ ticket: TicketView }>('POST', `/api/v1/tickets/${enc(id)}/${action}`);
export const transferTicket = (id: string, serviceId: string, to: 'front' | 'back') =>
  api<{ ticket: TicketView }>('POST', `/api/v1/tickets/${enc(id)}/transfer`, { service_id: serviceId, to });

/** The page a ticket is followed on (what the printed ticket's QR encodes). */
export const ticketUrl = (id: string, token: string) => `${location.origin}/queue?ticket=${enc(id)}&token=${enc(token)}`;

/**
 * Applies a `line:` frame to a waiting ticket's place: every change newer
 * than `version` whose order is before ours moves us by its delta. `gap`:
 * the frame starts after a change we never saw, so the caller must re-read
 * the snapshot.
 */
export function applyLine(me: { order: number; ahead: number; version: number }, frame: LineFrame): { ahead: number; version: number; gap: boolean } {
  const newer = frame.changes.filter(([v]) => v > me.version).sort((a, b) => a[0] - b[0]);
  if (newer.length === 0) return { ahead: me.ahead, version: me.version, gap: false };
  if (newer[0]![0] > me.version + 1) return { ahead: me.ahead, version: me.version, gap: true };
  let { ahead } = me;
  let version = me.version;
  for (const [v, order, delta] of newer) {
    if (v !== version + 1) return { ahead: me.ahead, version: me.version, gap: true };
    if (order < me.order) ahead += delta;
    version = v;
  }
  return { ahead: Math.max(0, ahead), version, gap: false };
}

/** "10–15 min" from seconds: whole minutes, the high end above the low one. */
export function etaMinutes(range: readonly number[] | null, seconds: number): [number, number] {
  if (range && range.length === 2) {
    const lo = Math.max(0, Math.floor(range[0]! / 60));
    return [lo, Math.max(lo + 1, Math.ceil(range[1]! / 60))];
  }
  const m = seconds / 60;
  const lo = Math.max(0, Math.floor(m * 0.8));
  return [lo, Math.max(lo + 1, Math.ceil(m * 1.2))];
}
