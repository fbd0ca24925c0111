import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { App } from './types.js';

/** OpenAPI from the route schemas; the UI's assets come from the package, never a CDN. */
export async function openApi(app: App, publicUrl: string): Promise<void> {
  await app.register(swagger, {
    openapi: {
      info: { title: 'scanpass', version: '0.1.0', description: 'QR login, share, check-in and queues with live push.' },
      servers: [{ url: publicUrl }],
      tags: [
        { name: 'accounts', description: 'Sign-ins, users, API keys' },
        { name: 'oauth', description: 'OAuth 2.0 Device Authorization Grant (RFC 8628) and OpenID Connect' },
        { name: 'login', description: "QR login: the phone's side, applications, QR images" },
        { name: 'share', description: 'QR share / consent: A shows a code, B asks, A decides' },
        { name: 'checkin', description: 'QR check-in: events, sessions, attendees, passes, scanners, scans and live counts' },
        { name: 'live', description: 'Channel state over SSE and long-poll (WebSocket: /v1/live)' },
        { name: 'ops', description: 'Health and readiness' },
      ],
      components: {
        securitySchemes: {
          session: { type: 'apiKey', in: 'cookie', name: 'scanpass_session' },
          apiKey: { type: 'http', scheme: 'bearer' },
        },
      },
    },
    transformObject: (d) => withUnavailable((d as unknown as { openapiObject: OpenApiDoc }).openapiObject) as never,
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
}

const HTTP_METHODS = new Set(['get', 'put', 'post', 'delete', 'patch', 'head', 'options']);
type OpenApiDoc = { paths?: Record<string, Record<string, { responses?: Record<string, unknown> }>> };

/**
 * Any route that reaches the database may answer 503 `unavailable` while the
 * database is unreachable or busy (see store/store-outage.ts): listed once
 * here for every operation rather than in each route's schema.
 */
function withUnavailable(doc: OpenApiDoc): OpenApiDoc {
  for (const ops of Object.values(doc.paths ?? {})) {
    for (const [method, op] of Object.entries(ops)) {
      if (!HTTP_METHODS.has(method) || !op || typeof op !== 'object') continue;
      op.responses ??= {};
      op.responses['503'] ??= {
        description: '`unavailable`: the database (or live state) cannot be reached right now; retry after `Retry-After` seconds',
        headers: { 'retry-after': { schema: { type: 'integer' }, description: 'seconds to wait before retrying' } },
        content: { 'application/json': { schema: { type: 'object', properties: { error: { type: 'string', enum: ['unavailable'] }, message: { type: 'string' } }, required: ['error', 'message'] } } },
      };
    }
  }
  return doc;
}
