/**
 * A queue ticket and what may happen to it. Pure: the store applies a
 * transition by compare-and-set on the ticket's version.
 *
 *   waiting --call--> called --done--> done
 *      |                |  \--no_show--> no_show
 *      |                \--recall--> called (again)
 *      |--cancel (the visitor leaves)--> cancelled
 *      |--more_time (once)--> waiting, further back
 *      \--transfer--> waiting in another service
 *   called --transfer--> waiting in another service (sent on to another desk)
 *
 * Leaving twice is harmless: cancel on a cancelled ticket changes nothing.
 */
export const TICKET_STATUSES = ['waiting', 'called', 'done', 'no_show', 'cancelled'] as const;
export type TicketStatus = (typeof TICKET_STATUSES)[number];

export type TicketAction = 'call' | 'recall' | 'done' | 'no_show' | 'cancel' | 'more_time' | 'transfer';

export interface Ticket {
  id: string;
  queueId: string;
  serviceId: string;
  /** The local day (in the place's zone) the number belongs to. */
  day: string;
  /** As shown: 'A007'. */
  number: string;
  seq: number;
  /** Place in the service's line: waiting tickets are served by order (priority tickets get keys before the others). */
  order: number;
  priority: number;
  status: TicketStatus;
  name: string | null;
  phone: string | null;
  counterId: string | null;
  createdAt: number;
  calledAt: number | null;
  finishedAt: number | null;
  recalls: number;
  moreTimeUsed: boolean;
  /** The `ticket:` channel's version. */
  version: number;
}

const FROM: Record<TicketAction, readonly TicketStatus[]> = {
  call: ['waiting'],
  recall: ['called'],
  done: ['called'],
  no_show: ['called'],
  cancel: ['waiting', 'called'],
  more_time: ['waiting'],
  transfer: ['waiting', 'called'],
};

const TO: Record<TicketAction, TicketStatus> = {
  call: 'called',
  recall: 'called',
  done: 'done',
  no_show: 'no_show',
  cancel: 'cancelled',
  more_time: 'waiting',
  transfer: 'waiting',
};

/** The status `action` leads to from `status`, or null when it may not happen there. */
export function nextStatus(status: TicketStatus, action: TicketAction): TicketStatus | null {
  return FROM[action].includes(status) ? TO[action] : null;
}

export const isTicketStatus = (v: unknown): v is TicketStatus => typeof v === 'string' && (TICKET_STATUSES as readonly string[]).includes(v);
