import { Type } from '@fastify/type-provider-typebox';
import { principalOf } from '../../auth/http-auth.js';
import { ROW_ERROR_CODES } from '../../domain/attendee-row.js';
import { AppError } from '../../domain/errors.js';
import { errorResponses, Nullable } from '../../http/schemas.js';
import type { App } from '../../http/types.js';
import type { AttendeeImport } from './attendee-import.js';
import { IdParams } from '../../http/schemas.js';

/** A CSV of a few thousand attendees is well under this; the app's JSON limit is far smaller. */
const IMPORT_BODY_LIMIT = 2 * 1024 * 1024;

const ImportQuery = Type.Object({
  mode: Type.Optional(Type.Union([Type.Literal('create'), Type.Literal('upsert')], { description: 'upsert: a row whose email matches a live attendee updates them; default create (such a row is a duplicate_email error)' })),
  dry_run: Type.Optional(Type.Boolean({ description: 'check every row and report, write nothing' })),
  session_id: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: 'also register every imported row for this session of the event' })),
});

const ImportReport = Type.Object(
  {
    dry_run: Type.Boolean(),
    created: Type.Integer(),
    updated: Type.Integer(),
    unchanged: Type.Integer(),
    skipped: Type.Integer({ description: 'rows left out because of an error' }),
    delimiter: Type.String({ description: 'the delimiter found in the header line' }),
    ignored_columns: Type.Array(Type.String(), { description: 'header cells that name no column of ours' }),
    errors: Type.Array(
      Type.Object({
        line: Type.Integer({ description: 'where the row starts; the header is line 1' }),
        column: Type.Optional(Type.String()),
        value: Type.Optional(Type.String()),
        code: Type.Union(ROW_ERROR_CODES.map((c) => Type.Literal(c))),
        message: Type.String(),
      }),
    ),
    more_errors: Type.Integer({ description: 'errors beyond the first 1000, not listed' }),
    attendees: Type.Array(
      Type.Object({
        line: Type.Integer(),
        id: Nullable(Type.String()),
        name: Type.String(),
        email: Nullable(Type.String()),
        action: Type.Union([Type.Literal('create'), Type.Literal('update'), Type.Literal('unchanged')]),
        link_url: Type.Optional(Type.String({ description: "a created attendee's personal pass link, shown this once" })),
      }),
    ),
  },
  { $id: 'AttendeeImportReport' },
);

/** Organisers: attendees from a CSV file, with a report of every row that was left out and why. */
export function attendeeImportRoutes(app: App, importer: AttendeeImport): void {
  app.addSchema(ImportReport);
  // Its own scope: text/csv is accepted by this route alone, with its own size limit.
  app.register(async (scope: App) => {
    scope.addContentTypeParser(['text/csv', 'application/csv'], { parseAs: 'buffer', bodyLimit: IMPORT_BODY_LIMIT }, (_req, body, done) => done(null, body));
    scope.post(
      '/events/:id/attendees/import',
      {
        bodyLimit: IMPORT_BODY_LIMIT,
        schema: {
          tags: ['checkin'],
          summary: 'Import attendees from CSV (content-type: text/csv)',
          description:
            'Header row required: `name` (required), `email` (optional), `sessions` (optional: session ids or names separated by `;`). ' +
            'UTF-8 with or without BOM; comma, semicolon or tab delimited; quoted fields may hold delimiters and line breaks. ' +
            'Bad rows are reported with a line, column and stable code and never written; the good rows are written in one transaction. ' +
            'A file that cannot be read at all is `invalid_csv`. At most 2 MB and 10,000 rows. ' +
            'Imports of one event take turns: one that finds another wrote first plans again on what is there now, so people are never added twice.',
          consumes: ['text/csv'],
          params: IdParams,
          querystring: ImportQuery,
          response: { 200: Type.Ref('AttendeeImportReport'), ...errorResponses('invalid_request', 'invalid_csv', 'unauthorized', 'csrf_failed', 'forbidden', 'not_found', 'conflict', 'payload_too_large', 'unsupported_media_type') },
        },
      },
      async (req) => {
        if (!Buffer.isBuffer(req.body)) throw new AppError('unsupported_media_type', 'send the file itself with content-type: text/csv');
        return importer.run(principalOf(req).user.id, req.params.id, req.body, { upsert: req.query.mode === 'upsert', dryRun: req.query.dry_run ?? false, sessionId: req.query.session_id });
      },
    );
  });
}
