import { Type } from '@fastify/type-provider-typebox';
import { isAppError } from '../../domain/errors.js';
import { QR_MAX_SIZE, QR_MIN_SIZE, type QrImages } from '../../http/qr-images.js';
import { errorResponses } from '../../http/schemas.js';
import type { App } from '../../http/types.js';
import type { LoginService } from './login-service.js';

/**
 * The QR of a login request (its verification_uri_complete) for screens that
 * cannot draw one: SVG, PNG, or JSON with a `data:` URL. Any well-formed user
 * code gets its image, whether or not a request has it (see `qrTarget`).
 * Under /oauth/ but not an OAuth endpoint: it sits outside the RFC 6749 scope
 * of oauth-plugin.ts, so its refusals keep our {error, message} shape.
 */
export function qrRoutes(app: App, service: LoginService, qr: QrImages): void {
  app.get(
    '/oauth/device/qr/:user_code',
    {
      schema: {
        tags: ['login'],
        summary: 'QR code of a login request',
        description: `Does not look the code up: a well-formed code always gets its image. PNGs are at most ${QR_MAX_SIZE} px; when too many are being drawn at once the answer is 503 \`unavailable\` with Retry-After.`,
        params: Type.Object({ user_code: Type.String({ minLength: 1, maxLength: 32 }) }),
        querystring: Type.Object({
          format: Type.Union([Type.Literal('svg'), Type.Literal('png'), Type.Literal('json')], { default: 'svg' }),
          size: Type.Integer({ minimum: QR_MIN_SIZE, maximum: QR_MAX_SIZE, default: 320, description: 'pixels, for png and json' }),
        }),
        response: errorResponses('invalid_request', 'unavailable'),
      },
    },
    async (req, reply) => {
      const target = service.qrTarget(req.params.user_code);
      const { format, size } = req.query;
      try {
        if (format === 'svg') return reply.header('cache-control', 'no-store').type('image/svg+xml').send(await qr.svg(target));
        if (format === 'png') return reply.header('cache-control', 'no-store').type('image/png').send(await qr.png(target, size));
        reply.header('cache-control', 'no-store');
        return { url: target, data_url: await qr.dataUrl(target, size) };
      } catch (err) {
        if (isAppError(err) && err.code === 'unavailable') reply.header('retry-after', '1');
        throw err;
      }
    },
  );
}
