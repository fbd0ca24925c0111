import { Type } from '@fastify/type-provider-typebox';
import QRCode from 'qrcode';
import { AppError } from '../../domain/errors.js';
import { errorResponses } from '../../http/schemas.js';
import type { App } from '../../http/types.js';
import type { LoginFlow } from './login-flow.js';

const QR_OPTIONS = { errorCorrectionLevel: 'M' as const, margin: 2 };

/**
 * The QR of a login request (its verification_uri_complete) for screens that
 * cannot draw one: SVG, PNG, or JSON with a `data:` URL.
 */
export function qrRoutes(app: App, flow: LoginFlow): void {
  app.get(
    '/oauth/device/qr/:user_code',
    {
      // Under /oauth/ but not an OAuth endpoint: its refusals keep our {error, message} shape
      // (the error handler would answer a validation error in RFC 6749's shape, which this
      // route's response schema does not allow, garbling the answer).
      attachValidation: true,
      schema: {
        tags: ['login'],
        summary: 'QR code of a login request',
        params: Type.Object({ user_code: Type.String({ minLength: 1, maxLength: 32 }) }),
        querystring: Type.Object({
          format: Type.Union([Type.Literal('svg'), Type.Literal('png'), Type.Literal('json')], { default: 'svg' }),
          size: Type.Integer({ minimum: 64, maximum: 2048, default: 320, description: 'pixels, for png and json' }),
        }),
        response: errorResponses(400, 404),
      },
    },
    async (req, reply) => {
      if (req.validationError) throw new AppError('invalid_request', `${req.validationError.validationContext ?? 'request'}${req.validationError.message.replace(/^(querystring|params)/, '')}`);
      const target = await flow.qrTarget(req.params.user_code);
      reply.header('cache-control', 'no-store');
      const { format, size } = req.query;
      if (format === 'svg') return reply.type('image/svg+xml').send(await QRCode.toString(target, { ...QR_OPTIONS, type: 'svg' }));
      if (format === 'png') return reply.type('image/png').send(await QRCode.toBuffer(target, { ...QR_OPTIONS, type: 'png', width: size }));
      return { url: target, data_url: await QRCode.toDataURL(target, { ...QR_OPTIONS, width: size }) };
    },
  );
}
