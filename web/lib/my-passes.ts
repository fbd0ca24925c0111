/** The signed-in person's passes, for the home page's "My passes" (GET /api/v1/passes). */
import type { MyPassesView } from '../../src/flows/checkin/checkin-schemas.js';
import { api } from './api.js';

/** One of the person's passes as the home page lists it. */
export interface MyPass {
  event_id: string;
  event_name: string;
  /** The pass page for this event. */
  url: string;
}

export async function fetchMyPasses(): Promise<MyPass[]> {
  const { passes } = await api<MyPassesView>('GET', '/api/v1/passes');
  return passes.map((p) => ({ event_id: p.event.id, event_name: p.event.name, url: p.url }));
}
