import type { parse as Parse } from 'csv-parse/sync';
import type { RowError } from '../../domain/attendee-row.js';
import { AppError } from '../../domain/errors.js';

let parser: Promise<typeof Parse> | undefined;
/** csv-parse, loaded by the first import rather than at start. */
const csvParser = (): Promise<typeof Parse> => (parser ??= import('csv-parse/sync').then((m) => m.parse));

/**
 * An uploaded CSV file as rows of cells, each with the line it starts on.
 * UTF-8 with or without a byte order mark; the delimiter (comma, semicolon
 * or tab: spreadsheets in many locales save with `;`) is whichever the header
 * line uses most; fields may be quoted and hold delimiters and line breaks.
 * A row the parser cannot read is reported and skipped; a file that is not
 * UTF-8 text, or whose quoting never closes, is refused as a whole.
 */

interface CsvRecord {
  /** Line where the record starts; the first line is 1. */
  line: number;
  cells: string[];
}

interface CsvTable {
  delimiter: string;
  header: CsvRecord;
  records: CsvRecord[];
  /** Rows that could not be read at all. */
  malformed: RowError[];
}

const DELIMITERS = [',', ';', '\t'] as const;

/** The delimiter the first line uses most, outside quotes; a comma when it uses none. */
function detectDelimiter(text: string): string {
  const counts = new Map<string, number>();
  let quoted = false;
  for (const ch of text) {
    if (ch === '"') quoted = !quoted;
    else if (!quoted && (ch === '\n' || ch === '\r')) break;
    else if (!quoted && (DELIMITERS as readonly string[]).includes(ch)) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  }
  let best = ',';
  for (const d of DELIMITERS) if ((counts.get(d) ?? 0) > (counts.get(best) ?? 0)) best = d;
  return best;
}

function decode(bytes: Uint8Array): string {
  let text: string;
  try {
    // fatal: a file saved in a legacy encoding (GBK, Latin-1) is refused, not imported as mojibake.
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes).replace(/^\uFEFF/, '');
  } catch {
    throw new AppError('invalid_csv', 'the file is not UTF-8 text; save it as "CSV UTF-8" and try again');
  }
  // A NUL byte means UTF-16 or a binary file; Postgres text could not store it either (it was a 500 there).
  if (text.includes('\u0000')) throw new AppError('invalid_csv', 'the file holds NUL characters, so it is not CSV text; save it as "CSV UTF-8" and try again');
  return text;
}

/** Line breaks inside a record's (quoted) fields: how many lines before its last one it starts. */
const breaks = (cells: readonly string[]) => cells.reduce((n, c) => n + (c.match(/\n/g) ?? []).length, 0);

interface ParsedRecord {
  record: string[];
  /** `lines`: the line the record ends on. */
  info: { lines: number };
}

export async function readCsv(bytes: Uint8Array, maxRows: number): Promise<CsvTable> {
  // One kind of line end: a file edited in two programs mixes them, which would throw the line count off.
  const text = decode(bytes).replace(/\r\n?/g, '\n');
  const delimiter = detectDelimiter(text);
  const malformed: RowError[] = [];
  let unclosed = false;
  let parsed: ParsedRecord[];
  const parse = await csvParser();
  try {
    parsed = parse(text, {
      delimiter,
      record_delimiter: '\n',
      relax_column_count: true,
      relax_quotes: true,
      skip_empty_lines: true,
      info: true,
      skip_records_with_error: true,
      on_skip: (err) => {
        if (err?.code === 'CSV_QUOTE_NOT_CLOSED') unclosed = true;
        else if (err) malformed.push({ line: Number(err.lines), code: 'malformed_row', message: err.message });
      },
    }) as unknown as ParsedRecord[];
  } catch (err) {
    const line = (err as { lines?: unknown }).lines;
    throw new AppError('invalid_csv', `the file cannot be read as CSV${typeof line === 'number' ? ` (line ${line})` : ''}: ${(err as Error).message}`, typeof line === 'number' ? { line } : undefined);
  }
  // A quote that never closes swallows every row after it: refuse the file rather than lose them quietly.
  if (unclosed) {
    const after = parsed.at(-1)?.info.lines ?? 0;
    throw new AppError('invalid_csv', `a quoted field that starts after line ${after} is never closed (a " is missing)`, { line: after + 1 });
  }
  const records = parsed.map((p) => ({ line: p.info.lines - breaks(p.record), cells: p.record }));
  const header = records.shift();
  if (!header) throw new AppError('invalid_csv', 'the file is empty; its first line must name the columns (name, email, sessions)');
  if (records.length > maxRows) throw new AppError('invalid_csv', `at most ${maxRows} rows per import; split the file`);
  return { delimiter, header, records, malformed };
}
