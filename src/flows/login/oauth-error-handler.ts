import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { isAppError } from '../../domain/errors.js';
import { statusOf } from '../../http/error-codes.js';
import { errorHandler, fastifyCodeOf } from '../../http/error-handler.js';
import { OAuthError } from './oauth-error.js';

/** The status of a refusal; undefined for a fault of ours (a 5xx keeps our shape). */
function refusalStatus(err: FastifyError): number | undefined {
  if (err.validation || err.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') return 400;
  const status = isAppError(err) ? statusOf(err.code) : err.statusCode;
  return status !== undefined && status >= 400 && status < 500 ? status : undefined;
}

/** The code of such a refusal: ours for our refusals, RFC 6749's `invalid_request` for a malformed request. */
function refusalCode(err: FastifyError, status: number): string {
  if (isAppError(err)) return err.code;
  if (status === 400) return 'invalid_request';
  if (status === 429) return 'rate_limited';
  return fastifyCodeOf(err) ?? 'invalid_request';
}

/**
 * The error handler of the RFC 6749 / 8628 / OpenID endpoints (token,
 * device authorization, userinfo): every refusal, including a malformed,
 * too large or rate-limited request, is `{error, error_description}`.
 * Faults of ours (5xx) fall through to the app's handler and keep its shape.
 */
export function oauthErrorHandler(err: FastifyError, req: FastifyRequest, reply: FastifyReply): void {
  if (err instanceof OAuthError) {
    // RFC 6749 5.2: the Basic challenge answers a client that authenticated with the Authorization
    // header. Sent to a client_secret_post client it makes OAuth libraries report a challenge
    // instead of invalid_client.
    if (err.code === 'invalid_client' && req.headers.authorization) reply.header('www-authenticate', 'Basic realm="scanpass"');
    reply.code(err.status).header('cache-control', 'no-store').send(err.body());
    return;
  }
  const status = refusalStatus(err);
  if (status) {
    reply.code(status).header('cache-control', 'no-store').send({ error: refusalCode(err, status), error_description: err.message });
    return;
  }
  errorHandler(err, req, reply);
}
