import { Type } from '@fastify/type-provider-typebox';
import type { FastifySchemaValidationError } from 'fastify';
import { principalOf } from '../../auth/http-auth.js';
import { AppError } from '../../domain/errors.js';
import { errorResponses } from '../../http/schemas.js';
import type { App } from '../../http/types.js';
import type { AuditLog } from '../../store/audit-log.js';
import { GRANT_TYPES } from '../../domain/client.js';
import { MAX_URI_LENGTH } from '../../domain/redirect-uri.js';
import { MAX_CLIENT_URIS } from './client-uris.js';
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
  const field = first?.instancePath.split('/')[1];
  return new AppError('invalid_request', `${err.validationContext ?? 'body'}${err.message.replace(/^body/, '')}`, field ? { field } : undefined);
}

const scopesField = Type.Array(Type.Union(SUPPORTED_SCOPES.map((s) => Type.Literal(s))), { minItems: 1, maxItems: 10 });
// Items are checked by the service (400 invalid_redirect_uri naming the URI), not here, so a bad URI reads the same from the API, the CLI and the console.
const urisField = (what: string) => Type.Array(Type.String(), { maxItems: MAX_CLIENT_URIS, description: `${what}: absolute, no fragment, at most ${MAX_URI_LENGTH} characters; https:, http: on the loopback only, or an app's own reverse-domain scheme (com.example.app:/cb)` });

/** The redirect, logout and grant fields, shared by registering and changing an application. */
const uriFields = {
  redirect_uris: Type.Optional(urisField('where /oauth/authorize may send the browser back (compared exactly; any port for loopback http)')),
  post_logout_redirect_uris: Type.Optional(urisField('where a logout may send the browser afterwards')),
  grant_types: Type.Optional(
    Type.Array(Type.Union(GRANT_TYPES.map((g) => Type.Literal(g))), { minItems: 1, maxItems: GRANT_TYPES.length, description: 'default: the device grant, plus authorization_code and refresh_token when redirect_uris are given' }),
  ),
  // Null first: with coerceTypes, a string-first union would read null as "".
  backchannel_logout_uri: Type.Optional(Type.Union([Type.Null(), Type.String()], { description: 'https: (or loopback http:) address for back-channel logout tokens; null: none' })),
};

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
          scopes: Type.Optional(scopesField),
          owner_id: Type.Optional(Type.String({ maxLength: 64, description: 'account whose API keys may approve for this application (default: the caller)' })),
          ...uriFields,
        }, { additionalProperties: false }),
        response: { 201: Type.Object({ client: Type.Ref('Client'), client_secret: Type.Optional(Type.String()) }), ...errorResponses('invalid_request', 'invalid_scope', 'invalid_redirect_uri', 'unauthorized', 'csrf_failed', 'forbidden', 'unknown_user', 'client_exists') },
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
        redirectUris: req.body.redirect_uris,
        postLogoutRedirectUris: req.body.post_logout_redirect_uris,
        grantTypes: req.body.grant_types,
        backchannelLogoutUri: req.body.backchannel_logout_uri,
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

  app.patch(
    '/clients/:client_id',
    {
      attachValidation: true,
      schema: {
        tags: ['login'],
        summary: 'Change an application: its name, scopes, redirect and logout URIs, grant types',
        description: 'Fields left out stay as they are. Unknown fields are refused (400 `invalid_request` naming the field); the `authorization_code` grant needs a redirect URI.',
        params: Type.Object({ client_id: Type.String({ maxLength: 64 }) }),
        body: Type.Object(
          { name: Type.Optional(Type.String({ minLength: 1, maxLength: 120 })), scopes: Type.Optional(scopesField), ...uriFields },
          { additionalProperties: false, minProperties: 1 },
        ),
        response: { 200: Type.Object({ client: Type.Ref('Client') }), ...errorResponses('invalid_request', 'invalid_scope', 'invalid_redirect_uri', 'unauthorized', 'csrf_failed', 'forbidden', 'unknown_client') },
      },
    },
    async (req) => {
      if (req.validationError) throw refusalOf(req.validationError);
      const b = req.body;
      const client = await clients.update(req.params.client_id, {
        name: b.name,
        scopes: b.scopes,
        redirectUris: b.redirect_uris,
        postLogoutRedirectUris: b.post_logout_redirect_uris,
        grantTypes: b.grant_types,
        backchannelLogoutUri: b.backchannel_logout_uri,
      });
      await audit.record({ at: now(), actorId: principalOf(req).user.id, action: 'client_update', subject: `client:${client.client_id}`, outcome: 'ok', ip: req.ip });
      return { client };
    },
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
