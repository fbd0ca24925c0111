import { Type } from '@fastify/type-provider-typebox';
import type { FastifySchemaValidationError } from 'fastify';
import { principalOf } from '../../auth/http-auth.js';
import { AppError } from '../../domain/errors.js';
import { errorResponses } from '../../http/schemas.js';
import type { App } from '../../http/types.js';
import type { AuditLog } from '../../store/audit-log.js';
import { CLIENT_ID_PATTERN, SUPPORTED_SCOPES, type ClientsService } from './clients-service.js';
import { ClientView } from './login-schemas.js';

/**
 * A field the API does not know was silently dropped, so `{"secret": true}`
 * (the CLI's flag name) registered a public client. Name the field instead.
 */
function refusalOf(err: Error & { validation?: FastifySchemaValidationError[]; validationContext?: string }): AppError {
  const first = err.validation?.[0];
  const unknown = first?.keyword === 'additionalProperties' ? String((first.params as { additionalProperty?: unknown }).additionalProperty) : undefined;
  if (unknown !== undefined) {
    const hint = unknown === 'secret' ? '; for a client with a secret send "confidential": true' : '';
    return new AppError('invalid_request', `body has an unknown field "${unknown}"${hint}`, { field: unknown });
  }
  return new AppError('invalid_request', `${err.validationContext ?? 'body'}${err.message.replace(/^body/, '')}`);
}

/** Applications (OAuth clients), managed by admins. */
export function clientsRoutes(app: App, clients: ClientsService, audit: AuditLog, now: () => number): void {
  app.addSchema(ClientView);

  app.post(
    '/clients',
    {
      // Validated in the handler, to name an unknown field (see refusalOf).
      attachValidation: true,
      schema: {
        tags: ['login'],
        summary: 'Register an application (OAuth client); a confidential client gets a secret, shown once',
        description: 'Unknown fields are refused (400 `invalid_request` naming the field): `secret: true`, as the CLI flag is named, is `confidential: true` here.',
        body: Type.Object({
          name: Type.String({ minLength: 1, maxLength: 120 }),
          client_id: Type.Optional(Type.String({ pattern: CLIENT_ID_PATTERN })),
          confidential: Type.Optional(Type.Boolean({ default: false })),
          scopes: Type.Optional(Type.Array(Type.Union(SUPPORTED_SCOPES.map((s) => Type.Literal(s))), { minItems: 1, maxItems: 10 })),
          owner_id: Type.Optional(Type.String({ maxLength: 64, description: 'account whose API keys may approve for this application (default: the caller)' })),
        }, { additionalProperties: false }),
        response: { 201: Type.Object({ client: Type.Ref('Client'), client_secret: Type.Optional(Type.String()) }), ...errorResponses('invalid_request', 'invalid_scope', 'unauthorized', 'csrf_failed', 'forbidden', 'unknown_user', 'client_exists') },
      },
    },
    async (req, reply) => {
      if (req.validationError) throw refusalOf(req.validationError);
      const p = principalOf(req);
      const res = await clients.create({
        name: req.body.name,
        clientId: req.body.client_id,
        confidential: req.body.confidential ?? false,
        scopes: req.body.scopes,
        ownerId: req.body.owner_id ?? p.user.id,
      });
      await audit.record({ at: now(), actorId: p.user.id, action: 'client_create', subject: `client:${res.client.client_id}`, outcome: 'ok', ip: req.ip });
      return reply.code(201).send(res);
    },
  );

  app.get(
    '/clients',
    { schema: { tags: ['login'], summary: 'List applications', response: { 200: Type.Object({ clients: Type.Array(Type.Ref('Client')) }), ...errorResponses('unauthorized', 'forbidden') } } },
    async () => ({ clients: await clients.list() }),
  );

  app.delete(
    '/clients/:client_id',
    {
      schema: { tags: ['login'], summary: 'Remove an application', params: Type.Object({ client_id: Type.String({ maxLength: 64 }) }), response: errorResponses('invalid_request', 'unauthorized', 'csrf_failed', 'forbidden', 'unknown_client') },
    },
    async (req, reply) => {
      await clients.remove(req.params.client_id);
      await audit.record({ at: now(), actorId: principalOf(req).user.id, action: 'client_remove', subject: `client:${req.params.client_id}`, outcome: 'ok', ip: req.ip });
      return reply.code(204).send();
    },
  );
}
