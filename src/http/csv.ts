import type { FastifyReply } from 'fastify';
import type { stringify as Stringify } from 'csv-stringify/sync';

/**
 * CSV downloads: cells a spreadsheet would run as a formula are defused, and
 * the file goes out as an attachment named in ASCII and in full UTF-8.
 */

/** A cell starting like a formula (= + - @, or a tab or return before one) gets a leading quote: OWASP's CSV injection advice. */
export const defuse = (v: string): string => (/^[=+\-@\t\r]/.test(v) ? `'${v}` : v);

/** `attachment` with an ASCII fallback name (`fallback` when nothing ASCII is left) and the full UTF-8 one (RFC 6266). */
export function attachment(filename: string, fallback = 'attendance'): string {
  const stem = filename.replace(/\.csv$/, '').replace(/[^A-Za-z0-9._-]+/g, '-').replace(/-{2,}/g, '-').replace(/^-|-$/g, '');
  const ascii = `${stem || fallback}.csv`;
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(filename).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)}`;
}

let writer: Promise<typeof Stringify> | undefined;

/**
 * The rows as a download's text: a BOM (so spreadsheets read UTF-8), CRLF
 * records, and a lone line feed in a cell quoted too, not only the CRLF that
 * ends records. csv-stringify loads with the first download, not at start.
 */
export async function csvText(rows: Parameters<typeof Stringify>[0]): Promise<string> {
  const write = await (writer ??= import('csv-stringify/sync').then((m) => m.stringify));
  return write(rows, { bom: true, record_delimiter: 'windows', quoted_match: /[\r\n]/ });
}

/** Sends `csv` (already with its BOM) as a download, never cached. */
export const sendCsv = (reply: FastifyReply, filename: string, csv: string, fallback?: string) =>
  reply.header('content-type', 'text/csv; charset=utf-8').header('content-disposition', attachment(filename, fallback)).header('cache-control', 'no-store').send(csv);
