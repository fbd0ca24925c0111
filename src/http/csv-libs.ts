import type { parse as Parse } from 'csv-parse/sync';
import type { stringify as Stringify } from 'csv-stringify/sync';

let parser: Promise<typeof Parse> | undefined;
let writer: Promise<typeof Stringify> | undefined;

/** csv-parse, loaded by the first CSV import rather than at start. */
export const csvParser = (): Promise<typeof Parse> => (parser ??= import('csv-parse/sync').then((m) => m.parse));

/** csv-stringify, loaded by the first CSV download rather than at start. */
export const csvWriter = (): Promise<typeof Stringify> => (writer ??= import('csv-stringify/sync').then((m) => m.stringify));
