import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { as, dialects, signInByInject, type Session } from '../support/api-suite.js';
import { ADMIN, startTestNode } from '../support/test-node.js';

/**
 * Adding an attendee writes the attendee, their registrations, the versions
 * of the sessions that now expect them and the audit entry: all of it, or
 * (a failure anywhere) none of it.
 */

type Node = Awaited<ReturnType<typeof startTestNode>>;
const MIN = 60_000;

describe.each(dialects)('adding an attendee on $name', ({ name, database }) => {
  let node: Node;
  let drop = async () => {};
  let admin: Session;
  let eventId: string;
  let talk: string;
  let hall: string;

  const post = async (url: string, payload: Record<string, unknown>) => {
    const res = await node.app.inject({ method: 'POST', url, ...as(admin), payload });
    return { status: res.statusCode, body: res.json() as Record<string, unknown> };
  };
  const db = () => node.services.store.db;
  /** What an attendee create may have left behind: the named attendees, the event's registrations, its sessions' versions and the create audit entries. */
  const stored = async (attendeeName: string) => ({
    attendees: await db().selectFrom('attendees').select('id').where('event_id', '=', eventId).where('name', '=', attendeeName).execute(),
    registrations: await db().selectFrom('session_registrations').select('attendee_id').where('session_id', 'in', [talk, hall]).execute(),
    versions: await db().selectFrom('event_sessions').select(['id', 'version']).where('event_id', '=', eventId).orderBy('id').execute(),
    audited: await db().selectFrom('audit_log').select('id').where('action', '=', 'attendee_create').where('subject', '=', `event:${eventId}`).execute(),
  });

  beforeAll(async () => {
    const d = await database();
    drop = d.drop;
    node = await startTestNode(d.url ? { databaseUrl: d.url } : {});
    admin = await signInByInject(node, ADMIN.email, ADMIN.password);
    const now = Date.now();
    eventId = (await post('/api/v1/events', { name: 'Atomic Expo', starts_at: now, ends_at: now + 60 * MIN })).body.id as string;
    talk = (await post(`/api/v1/events/${eventId}/sessions`, { name: 'Talk', starts_at: now, ends_at: now + 60 * MIN })).body.id as string;
    hall = (await post(`/api/v1/events/${eventId}/sessions`, { name: 'Hall', starts_at: now, ends_at: now + 60 * MIN, all_attendees: true })).body.id as string;
  });

  afterAll(async () => {
    await node?.close();
    await drop();
  });

  it('stores nothing when a registration names a session that is not one of the event', async () => {
    const before = await stored('Nobody Stored');
    const r = await post(`/api/v1/events/${eventId}/attendees`, { name: 'Nobody Stored', session_ids: [talk, 'no-such-session'] });
    expect(r.status).toBe(400);
    expect(r.body.error).toBe('invalid_request');
    expect(await stored('Nobody Stored')).toEqual(before);
  });

  it('stores nothing when a write fails midway: no attendee, no registration, no session version moved', async () => {
    // The last write of the create (its audit entry) fails, after the attendee, registrations and versions were written.
    if (name === 'sqlite') {
      await sql`create trigger refuse_create_audit before insert on audit_log when new.action = 'attendee_create' begin select raise(abort, 'audit refused'); end`.execute(db());
    } else {
      await sql`create function refuse_create_audit() returns trigger language plpgsql as $$ begin raise exception 'audit refused'; end $$`.execute(db());
      await sql`create trigger refuse_create_audit before insert on audit_log for each row when (new.action = 'attendee_create') execute function refuse_create_audit()`.execute(db());
    }
    try {
      const before = await stored('Half Written');
      const r = await post(`/api/v1/events/${eventId}/attendees`, { name: 'Half Written', session_ids: [talk] });
      expect(r.status).toBe(500);
      expect(await stored('Half Written')).toEqual(before);
    } finally {
      await sql`drop trigger refuse_create_audit${sql.raw(name === 'sqlite' ? '' : ' on audit_log')}`.execute(db());
    }
    // With the audit back, the same create stores everything.
    const r = await post(`/api/v1/events/${eventId}/attendees`, { name: 'Half Written', session_ids: [talk] });
    expect(r.status).toBe(201);
    const after = await stored('Half Written');
    expect(after.attendees).toEqual([{ id: r.body.id }]);
    expect(after.registrations).toEqual([{ attendee_id: r.body.id }]);
    expect(after.audited).toHaveLength(1);
  });
});
