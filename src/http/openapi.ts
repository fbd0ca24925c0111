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
        { name: 'accounts', description: 'Sign-in sessions, users, API keys' },
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
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
}
