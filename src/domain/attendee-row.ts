/**
 * The rows of an attendee import, checked without I/O. The CSV has been split
 * into cells already; this decides, for each row, whether it creates an
 * attendee, updates one (upsert by email), or is skipped, and why, with one
 * stable code per problem. A bad row never stops the good ones: it is
 * reported and left out.
 *
 * Columns (header names are case-insensitive; English or Chinese):
 *   name      required
 *   email     optional, checked, stored in lower case; the key of an upsert
 *   sessions  optional: session ids or names, separated by `;`
 *   language  optional: of their pass e-mail, `en` or `zh-CN` (also English, 中文, zh, ...)
 */

export const ROW_ERROR_CODES = [
  'missing_name',
  'invalid_email',
  'unknown_session',
  'ambiguous_session',
  'duplicate_email',
  'too_long',
  'too_many_fields',
  'malformed_row',
  'invalid_language',
] as const;
type RowErrorCode = (typeof ROW_ERROR_CODES)[number];

export interface RowError {
  /** Line in the file where the row starts; the header is line 1. */
  line: number;
  column?: ImportColumn;
  /** What was there, shortened. */
  value?: string;
  code: RowErrorCode;
  message: string;
}

const IMPORT_COLUMNS = ['name', 'email', 'sessions', 'language', 'note'] as const;
type ImportColumn = (typeof IMPORT_COLUMNS)[number];

const ROW_LIMITS = { name: 200, email: 254, sessions: 200, note: 500, echo: 80 } as const;

/** Header spellings accepted for each column (compared trimmed and lower-cased). */
const ALIASES: Readonly<Record<ImportColumn, readonly string[]>> = {
  name: ['name', 'full name', 'full_name', '姓名', '名字'],
  email: ['email', 'e-mail', 'mail', '邮箱', '电子邮件', '电子邮箱'],
  sessions: ['sessions', 'session', 'session_ids', '场次'],
  language: ['language', 'lang', 'locale', '语言'],
  note: ['note', 'notes', 'remark', 'remarks', '备注', '说明'],
};

/** The spellings of a pass e-mail's language a spreadsheet may hold (lower-cased), and what each means. */
const LANGUAGES: Readonly<Record<string, 'en' | 'zh-CN'>> = {
  en: 'en', 'en-us': 'en', 'en-gb': 'en', english: 'en', 英文: 'en', 英语: 'en',
  'zh-cn': 'zh-CN', zh: 'zh-CN', 'zh-hans': 'zh-CN', chinese: 'zh-CN', 中文: 'zh-CN', 简体中文: 'zh-CN', 汉语: 'zh-CN',
};

export interface ImportHeader {
  /** Cell index of each known column. */
  index: Partial<Record<ImportColumn, number>>;
  /** Number of header cells: a row with more non-empty cells is refused. */
  width: number;
  /** Header cells that name no column of ours; their values are ignored. */
  ignored: string[];
}

export function readHeader(cells: readonly string[]): { ok: true; header: ImportHeader } | { ok: false; message: string } {
  const index: Partial<Record<ImportColumn, number>> = {};
  const ignored: string[] = [];
  for (const [i, raw] of cells.entries()) {
    const label = raw.trim().toLowerCase();
    const column = IMPORT_COLUMNS.find((c) => ALIASES[c].includes(label));
    if (!column) {
      if (label) ignored.push(raw.trim());
      continue;
    }
    if (index[column] !== undefined) return { ok: false, message: `the header names the ${column} column twice` };
    index[column] = i;
  }
  if (index.name === undefined) return { ok: false, message: 'the first line must name the columns, with at least `name` (and optionally `email`, `sessions`)' };
  return { ok: true, header: { index, width: cells.length, ignored } };
}

interface SessionRef {
  id: string;
  name: string;
}

type SessionMatch = { ok: true; id: string } | { ok: false; code: 'unknown_session' | 'ambiguous_session' };

const fold = (s: string) => s.normalize('NFKC').trim().replace(/\s+/g, ' ').toLowerCase();

/** Finds a session of the event by id, or else by name (case-insensitive); a name two sessions share is ambiguous. */
export function sessionMatcher(sessions: readonly SessionRef[]): (ref: string) => SessionMatch {
  const byId = new Set(sessions.map((s) => s.id));
  const byName = new Map<string, string[]>();
  for (const s of sessions) byName.set(fold(s.name), [...(byName.get(fold(s.name)) ?? []), s.id]);
  return (ref) => {
    const id = ref.trim();
    if (byId.has(id)) return { ok: true, id };
    const named = byName.get(fold(ref)) ?? [];
    if (named.length === 1) return { ok: true, id: named[0]! };
    return { ok: false, code: named.length > 1 ? 'ambiguous_session' : 'unknown_session' };
  };
}

// Deliberately plain: one @, no spaces, a dot in the domain. Mail servers decide the rest.
const EMAIL = /^[^\s@]+@[^\s@.]+(\.[^\s@.]+)+$/;

export const isEmail = (s: string): boolean => s.length <= ROW_LIMITS.email && EMAIL.test(s);

const echo = (v: string) => (v.length > ROW_LIMITS.echo ? `${v.slice(0, ROW_LIMITS.echo - 1)}…` : v);

/** A row that passed its own checks. */
interface AttendeeRowInput {
  line: number;
  name: string;
  email: string | null;
  sessionIds: string[];
  /** Of their pass e-mail; absent: not given (a new attendee gets English, an updated one keeps theirs). */
  language?: 'en' | 'zh-CN';
  /** The organiser's note for the door; absent: the file has no note column (an updated attendee keeps theirs); '': none (clears it). */
  note?: string;
}

/** Checks one row on its own (not against other rows or the store). */
export function checkRow(cells: readonly string[], header: ImportHeader, line: number, findSession: (ref: string) => SessionMatch): { row: AttendeeRowInput | null; errors: RowError[] } {
  const errors: RowError[] = [];
  const fail = (code: RowErrorCode, message: string, column?: ImportColumn, value?: string) =>
    errors.push({ line, ...(column ? { column } : {}), ...(value !== undefined ? { value: echo(value) } : {}), code, message });
  const cell = (c: ImportColumn) => (header.index[c] === undefined ? '' : (cells[header.index[c]!] ?? ''));

  if (cells.slice(header.width).some((c) => c.trim() !== '')) fail('too_many_fields', `this row has ${cells.length} fields; the header has ${header.width}`);

  // A quoted name may hold line breaks or runs of spaces: a name is one line.
  const name = cell('name').replace(/\s+/g, ' ').trim();
  if (!name) fail('missing_name', 'the name is empty', 'name');
  else if (name.length > ROW_LIMITS.name) fail('too_long', `a name has at most ${ROW_LIMITS.name} characters`, 'name', name);

  const rawEmail = cell('email').trim();
  const email = rawEmail ? rawEmail.toLowerCase() : null;
  if (email !== null) {
    if (email.length > ROW_LIMITS.email) fail('too_long', `an email address has at most ${ROW_LIMITS.email} characters`, 'email', rawEmail);
    else if (!EMAIL.test(email)) fail('invalid_email', 'this is not an email address', 'email', rawEmail);
  }

  // Sessions are separated by ; or the full-width ； (U+FF1B) that Chinese keyboards type.
  const refs = [...new Set(cell('sessions').split(/[;\uFF1B\n]/).map((s) => s.trim()).filter(Boolean))];
  const sessionIds: string[] = [];
  if (refs.length > ROW_LIMITS.sessions) fail('too_long', `at most ${ROW_LIMITS.sessions} sessions per row`, 'sessions', cell('sessions'));
  else {
    for (const ref of refs) {
      const m = findSession(ref);
      if (m.ok) sessionIds.push(m.id);
      else if (m.code === 'ambiguous_session') fail('ambiguous_session', 'several sessions of this event have this name; use the session id', 'sessions', ref);
      else fail('unknown_session', 'no session of this event has this id or name', 'sessions', ref);
    }
  }

  const rawLanguage = cell('language').trim();
  const language = rawLanguage ? (LANGUAGES[rawLanguage.toLowerCase()] ?? null) : null;
  if (rawLanguage && !language) fail('invalid_language', 'the language must be en or zh-CN', 'language', rawLanguage);

  // One line, like a name: it is read at the door.
  const note = header.index.note === undefined ? undefined : cell('note').replace(/\s+/g, ' ').trim();
  if (note && note.length > ROW_LIMITS.note) fail('too_long', `a note has at most ${ROW_LIMITS.note} characters`, 'note', note);

  return { row: errors.length ? null : { line, name, email, sessionIds: [...new Set(sessionIds)], ...(language ? { language } : {}), ...(note !== undefined ? { note } : {}) }, errors };
}

/** A row to write: a new attendee, or (upsert) the live attendee that has this email. */
interface PlannedRow extends AttendeeRowInput {
  existingId: string | null;
}

interface ImportPlan {
  rows: PlannedRow[];
  errors: RowError[];
  /** Rows left out because of an error (a row with two errors counts once). */
  skipped: number;
}

interface PlanContext {
  header: ImportHeader;
  sessions: readonly SessionRef[];
  /** Live attendees of the event by lower-cased email. */
  existing: ReadonlyMap<string, string>;
  /** Update the attendee with a matching email instead of refusing the row. */
  upsert: boolean;
}

const blank = (cells: readonly string[]) => cells.every((c) => c.trim() === '');

/**
 * Every data row checked: on its own, then against the rows before it (an
 * email twice in one file) and the event (an email already taken, unless
 * upserting). Rows with nothing in them are ignored.
 */
export function planImport(records: readonly { line: number; cells: readonly string[] }[], ctx: PlanContext): ImportPlan {
  const find = sessionMatcher(ctx.sessions);
  const seen = new Map<string, number>();
  const plan: ImportPlan = { rows: [], errors: [], skipped: 0 };
  for (const { line, cells } of records) {
    if (blank(cells)) continue;
    const { row, errors } = checkRow(cells, ctx.header, line, find);
    if (row?.email) {
      const first = seen.get(row.email);
      const existingId = ctx.existing.get(row.email) ?? null;
      if (first !== undefined) errors.push({ line, column: 'email', value: echo(row.email), code: 'duplicate_email', message: `line ${first} has the same email address` });
      else if (existingId && !ctx.upsert) errors.push({ line, column: 'email', value: echo(row.email), code: 'duplicate_email', message: 'an attendee of this event already has this email address (import with mode=upsert to update them)' });
      seen.set(row.email, first ?? line);
    }
    if (errors.length || !row) {
      plan.errors.push(...errors);
      plan.skipped++;
      continue;
    }
    plan.rows.push({ ...row, existingId: row.email ? (ctx.existing.get(row.email) ?? null) : null });
  }
  return plan;
}

/** One imported row as the report lists it. */
export interface ImportedAttendee {
  line: number;
  /** Null in a dry run. */
  id: string | null;
  name: string;
  email: string | null;
  action: 'create' | 'update' | 'unchanged';
  /** A created attendee's personal pass link, shown this once. */
  link_url?: string;
}

/** What an import answers: the API's report, also read by the console and dashboard pages. */
export interface ImportReport {
  dry_run: boolean;
  created: number;
  updated: number;
  unchanged: number;
  skipped: number;
  delimiter: string;
  ignored_columns: string[];
  errors: RowError[];
  /** Errors beyond the first MAX_REPORTED_ERRORS, not listed. */
  more_errors: number;
  attendees: ImportedAttendee[];
}
