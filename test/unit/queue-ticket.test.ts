import { describe, expect, it } from 'vitest';
import { isTicketStatus, nextStatus, TICKET_STATUSES, type TicketAction } from '../../src/domain/queue-ticket.js';

describe('queue ticket state machine', () => {
  it('calls a waiting ticket, then recalls it, serves it or marks it a no-show', () => {
    expect(nextStatus('waiting', 'call')).toBe('called');
    expect(nextStatus('called', 'recall')).toBe('called');
    expect(nextStatus('called', 'done')).toBe('done');
    expect(nextStatus('called', 'no_show')).toBe('no_show');
  });

  it('lets a waiting ticket leave, ask for more time or be transferred; a called one leave or be sent on', () => {
    expect(nextStatus('waiting', 'cancel')).toBe('cancelled');
    expect(nextStatus('waiting', 'more_time')).toBe('waiting');
    expect(nextStatus('waiting', 'transfer')).toBe('waiting');
    expect(nextStatus('called', 'cancel')).toBe('cancelled');
    expect(nextStatus('called', 'transfer')).toBe('waiting');
  });

  it('refuses what cannot happen: done while waiting, a second call, anything after the end', () => {
    expect(nextStatus('waiting', 'done')).toBeNull();
    expect(nextStatus('waiting', 'no_show')).toBeNull();
    expect(nextStatus('waiting', 'recall')).toBeNull();
    expect(nextStatus('called', 'call')).toBeNull();
    expect(nextStatus('called', 'more_time')).toBeNull();
    const actions: TicketAction[] = ['call', 'recall', 'done', 'no_show', 'cancel', 'more_time', 'transfer'];
    for (const end of ['done', 'no_show', 'cancelled'] as const) for (const a of actions) expect(nextStatus(end, a), `${a} on ${end}`).toBeNull();
  });

  it('knows its statuses', () => {
    for (const s of TICKET_STATUSES) expect(isTicketStatus(s)).toBe(true);
    for (const v of ['served', '', null, 3, 'WAITING']) expect(isTicketStatus(v)).toBe(false);
  });
});
