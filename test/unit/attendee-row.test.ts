import { describe, expect, it } from 'vitest';
import { checkRow, isEmail, planImport, readHeader, sessionMatcher, type ImportHeader } from '../../src/domain/attendee-row.js';

const sessions = [
  { id: 's-morning', name: 'Morning' },
  { id: 's-afternoon', name: 'Afternoon Talks' },
  { id: 's-a', name: 'Workshop' },
  { id: 's-b', name: 'workshop' },
];

const header = (cells: string[]): ImportHeader => {
  const h = readHeader(cells);
  if (!h.ok) throw new Error(h.message);
  return h.header;
};
const std = header(['name', 'email', 'sessions']);
const find = sessionMatcher(sessions);
const rows = (...cells: string[][]) => cells.map((c, i) => ({ line: i + 2, cells: c }));

describe('attendee import rows', () => {
  it('reads the header in any case, in English or Chinese, and ignores other columns', () => {
    expect(header([' Name ', 'E-Mail', 'Company'])).toEqual({ index: { name: 0, email: 1 }, width: 3, ignored: ['Company'] });
    expect(header(['姓名', '邮箱', '场次']).index).toEqual({ name: 0, email: 1, sessions: 2 });
    expect(readHeader(['email', 'sessions'])).toMatchObject({ ok: false });
    expect(readHeader(['name', 'Name'])).toMatchObject({ ok: false, message: expect.stringContaining('twice') });
  });

  it('accepts a row with a name alone, and normalises what it keeps', () => {
    expect(checkRow(['  Ada   Lovelace\n Countess ', '', ''], std, 2, find)).toEqual({ row: { line: 2, name: 'Ada Lovelace Countess', email: null, sessionIds: [] }, errors: [] });
    expect(checkRow(['Ada', ' Ada@Example.COM ', 'morning; s-morning ;afternoon talks；'], std, 3, find).row).toEqual({
      line: 3,
      name: 'Ada',
      email: 'ada@example.com',
      sessionIds: ['s-morning', 's-afternoon'],
    });
    expect(checkRow(['Ada', '', 's-morning'], std, 4, find).row?.sessionIds).toEqual(['s-morning']);
  });

  it('names every problem of a row with a stable code, its column and value', () => {
    const { row, errors } = checkRow(['', 'not-an-email', 'Evening;workshop'], std, 7, find);
    expect(row).toBeNull();
    expect(errors).toEqual([
      { line: 7, column: 'name', code: 'missing_name', message: expect.any(String) },
      { line: 7, column: 'email', value: 'not-an-email', code: 'invalid_email', message: expect.any(String) },
      { line: 7, column: 'sessions', value: 'Evening', code: 'unknown_session', message: expect.any(String) },
      { line: 7, column: 'sessions', value: 'workshop', code: 'ambiguous_session', message: expect.any(String) },
    ]);
    const long = checkRow(['x'.repeat(201), '', ''], std, 8, find).errors[0]!;
    expect(long).toMatchObject({ code: 'too_long', column: 'name' });
    expect(long.value!.length).toBeLessThanOrEqual(80);
    expect(checkRow(['Ada', '', '', 'surplus'], std, 9, find).errors).toMatchObject([{ code: 'too_many_fields' }]);
    expect(checkRow(['Ada', '', '', ''], std, 9, find).errors).toEqual([]);
  });

  it('checks email addresses plainly', () => {
    for (const ok of ['a@b.co', 'first.last+tag@sub.example.org', '用户@例子.中国']) expect(isEmail(ok), ok).toBe(true);
    for (const bad of ['', 'a', 'a@b', 'a@@b.co', 'a b@c.de', '@b.co', 'a@.co', 'a@b.', `${'a'.repeat(250)}@b.co`]) expect(isEmail(bad), bad).toBe(false);
  });

  it('refuses the second row with an email already in the file, and one already in the event unless upserting', () => {
    const records = rows(['Ada', 'ada@x.org', ''], ['Ada again', 'ADA@x.org', ''], ['Bob', 'bob@x.org', ''], ['', '', ''], ['Cy', 'taken@x.org', '']);
    const existing = new Map([['taken@x.org', 'att-1']]);
    const create = planImport(records, { header: std, sessions, existing, upsert: false });
    expect(create.rows.map((r) => r.name)).toEqual(['Ada', 'Bob']);
    expect(create.errors).toMatchObject([
      { line: 3, code: 'duplicate_email', message: 'line 2 has the same email address' },
      { line: 6, code: 'duplicate_email', message: expect.stringContaining('upsert') },
    ]);
    expect(create.skipped).toBe(2);

    const upsert = planImport(records, { header: std, sessions, existing, upsert: true });
    expect(upsert.rows.map((r) => [r.name, r.existingId])).toEqual([
      ['Ada', null],
      ['Bob', null],
      ['Cy', 'att-1'],
    ]);
    expect(upsert.errors.map((e) => e.line)).toEqual([3]);
  });

  it('skips blank rows without counting them, and counts a row with two errors once', () => {
    const plan = planImport(rows(['', ' ', ''], ['', 'bad', 'nowhere'], ['Ok', '', '']), { header: std, sessions, existing: new Map(), upsert: false });
    expect(plan.rows).toHaveLength(1);
    expect(plan.errors).toHaveLength(3);
    expect(plan.skipped).toBe(1);
  });
});
