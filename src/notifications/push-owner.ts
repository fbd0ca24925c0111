/**
 * Whom a push subscription belongs to: `<kind>:<id>`, as webhook owners are.
 * A queue ticket's is `ticket:<id>`; the queue notifies it by this name.
 */
export const ticketPushOwner = (ticketId: string): string => `ticket:${ticketId}`;
