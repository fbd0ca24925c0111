/** What the event page loads once and its sections share and update. */
import type { Attendee, CheckinEvent, CheckinSession, Delivery, Device, PassDeliveries, StaffMember, Webhook } from '../admin-events-api.js';
import type { User } from '../api.js';

export interface EventState {
  event: CheckinEvent;
  sessions: CheckinSession[];
  attendees: Attendee[];
  devices: Device[];
  users: User[];
  staff: Map<string, StaffMember[]>;
  webhook: Webhook | null;
  deliveries: Delivery[];
  /** Each attendee's pass e-mail and link state (passes-section.ts); null until loaded. */
  passes: PassDeliveries | null;
}

/** One section of the event page: its element, and how to redraw it from the state. */
export interface Part {
  el: HTMLElement;
  render: () => void;
}
