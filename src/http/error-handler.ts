import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { ERROR_STATUS, isAppError } from '../domain/errors.js';
import { OAuthError } from '../flows/login/oauth-error.js';

/** Fastify's own error codes that a caller causes, mapped to ours. */
const FASTIFY_CODES: Record<string, keyof typeof ERROR_STATUS> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'payload_too_large',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'unsupported_media_type',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'invalid_request',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'invalid_request',
  FST_ERR_CTP_INVALID_JSON_BODY: 'invalid_request',
  FST_ERR_VALIDATION: 'invalid_request',
  FST_ERR_BAD_URL: 'invalid_request',
  FST_ERR_ASYNC_CONSTRAINT: 'invalid_request',
};

/** The RFC 6749 / OpenID endpoints, whose error bodies are `{error, error_description}`. */
const OAUTH_ENDPOINTS = /^\/oauth\/(token|device_authorization|userinfo)(\?|$)/;

/** The status of a refusal on an OAuth endpoint; undefined for a fault of ours (a 5xx keeps our shape). */
function oauthRefusalStatus(err: FastifyError): number | undefined {
  if (err.validation || err.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') return 400;
  const status = isAppError(err) ? err.status : err.statusCode;
  return status !== undefined && status >= 400 && status < 500 ? status : undefined;
}

/** The code of such a refusal: ours for our refusals, RFC 6749's `invalid_request` for a malformed request. */
function oauthCode(err: FastifyError, status: number): string {
  if (isAppError(err)) return err.code;
  if (status === 400) return 'invalid_request';
  if (status === 429) return 'rate_limited';
  return (err.code && FASTIFY_CODES[err.code]) ?? 'invalid_request';
}

/** What a 503 asks a caller to wait: a Postgres restart is usually over in a second or two. */
const RETRY_AFTER_SECONDS = 1;

/** No bare error crosses the HTTP boundary: each becomes `{error, message}` with its status. */
export function errorHandler(err: FastifyError, req: FastifyRequest, reply: FastifyReply): void {
  if (err instanceof OAuthError) {
    // RFC 6749 5.2: the Basic challenge answers a client that authenticated with the Authorization
    // header. Sent to a client_secret_post client it makes OAuth libraries report a challenge
    // instead of invalid_client.
    if (err.code === 'invalid_client' && req.headers.authorization) reply.header('www-authenticate', 'Basic realm="scanpass"');
    reply.code(err.status).header('cache-control', 'no-store').send(err.body());
    return;
  }
  const oauthStatus = OAUTH_ENDPOINTS.test(req.url) ? oauthRefusalStatus(err) : undefined;
  if (oauthStatus) {
    // RFC 6749's shape on the OAuth endpoints for every refusal: malformed, too large or too many requests too.
    reply.code(oauthStatus).header('cache-control', 'no-store').send({ error: oauthCode(err, oauthStatus), error_description: err.message });
    return;
  }
  if (isAppError(err)) {
    // 503 `unavailable` is a passing state (the database or live state is unreachable): say when to come back.
    if (err.status === 503) reply.header('retry-after', String(RETRY_AFTER_SECONDS));
    reply.code(err.status).send({ error: err.code, message: err.message, ...err.details });
    return;
  }
  if (err.validation) {
    const where = err.validationContext ?? 'request';
    reply.code(400).send({ error: 'invalid_request', message: `${where}${err.message.replace(/^(body|querystring|params|headers)/, '')}` });
    return;
  }
  const mapped = err.code ? FASTIFY_CODES[err.code] : undefined;
  if (mapped) {
    reply.code(ERROR_STATUS[mapped]).send({ error: mapped, message: err.message });
    return;
  }
  if (err.statusCode === 429) {
    reply.code(429).send({ error: 'rate_limited', message: err.message });
    return;
  }
  if (err.statusCode && err.statusCode >= 400 && err.statusCode < 500) {
    // A client error from a plugin (e.g. a malformed cookie); never a 500.
    reply.code(err.statusCode).send({ error: 'invalid_request', message: err.message });
    return;
  }
  req.log.error({ err }, 'unhandled error');
  reply.code(500).send({ error: 'internal_error', message: 'something went wrong on our side; it has been logged' });
}

export function notFoundHandler(req: FastifyRequest, reply: FastifyReply): void {
  reply.code(404).send({ error: 'not_found', message: `no route for ${req.method} ${req.url.split('?')[0]}` });
}
