import { expect } from 'vitest';
import { post } from './http.js';
import { signIn } from './test-node.js';

/**
 * Check-in over plain HTTP for suites that drive node processes: an event
 * with one session open to all, a scanner device, passes, and scans.
 */
interface Pass {
  codes: { code: string; shown_until: number }[];
}

interface CheckinFixture {
  sessionId: string;
  device: { authorization: string };
  passes: Pass[];
}

/** An event with one session open to all, a scanner device and `attendees` passes, made through `url`. */
export async function checkinFixture(url: string, attendees: number): Promise<CheckinFixture> {
  const admin = await signIn(url);
  const auth = { cookie: admin.cookie, 'x-csrf-token': admin.csrf };
  const created = async (p: string, body: unknown) => {
    const res = await post(`${url}${p}`, body, auth);
    expect(res.status, await res.clone().text()).toBe(201);
    return (await res.json()) as Record<string, unknown>;
  };
  const t = Date.now();
  const event = await created('/api/v1/events', { name: 'Outage conference', starts_at: t - 3600_000, ends_at: t + 86400_000 });
  const session = await created(`/api/v1/events/${event.id}/sessions`, { name: 'Keynote', starts_at: t - 600_000, ends_at: t + 86400_000, all_attendees: true });
  const device = await created(`/api/v1/events/${event.id}/devices`, { name: 'Gate 1' });
  const passes: Pass[] = [];
  for (let i = 0; i < attendees; i++) {
    const a = await created(`/api/v1/events/${event.id}/attendees`, { name: `Attendee ${i}`, email: `a${i}@outage.local` });
    const pass = await fetch(`${url}/api/v1/passes/by-link/${a.link_token as string}`);
    expect(pass.status).toBe(200);
    passes.push((await pass.json()) as Pass);
  }
  return { sessionId: session.id as string, device: { authorization: `Bearer ${device.token as string}` }, passes };
}

/** Scans attendee `i`'s current code with `nonce` (a retry sends the same one). */
export function scan(url: string, f: CheckinFixture, i: number, nonce: string): Promise<Response> {
  const pass = f.passes[i]!;
  const code = (pass.codes.find((c) => Date.now() < c.shown_until) ?? pass.codes[0]!).code;
  return post(`${url}/api/v1/checkins`, { code, session_id: f.sessionId, nonce }, f.device);
}
