import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { isAppError, type ErrorCode } from '../domain/errors.js';
import { statusOf } from './error-codes.js';

/** Fastify's own error codes that a caller causes, mapped to ours. */
const FASTIFY_CODES: Record<string, ErrorCode> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'payload_too_large',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'unsupported_media_type',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'invalid_request',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'invalid_request',
  FST_ERR_CTP_INVALID_JSON_BODY: 'invalid_request',
  FST_ERR_VALIDATION: 'invalid_request',
  FST_ERR_BAD_URL: 'invalid_request',
  FST_ERR_ASYNC_CONSTRAINT: 'invalid_request',
};

/** Our code for one of Fastify's own caller-caused errors, if it is one. */
export function fastifyCodeOf(err: FastifyError): ErrorCode | undefined {
  return err.code ? FASTIFY_CODES[err.code] : undefined;
}

/** What a 503 asks a caller to wait: a Postgres restart is usually over in a second or two. */
const RETRY_AFTER_SECONDS = 1;

/** No bare error crosses the HTTP boundary: each becomes `{error, message}` with its status. */
export function errorHandler(err: FastifyError, req: FastifyRequest, reply: FastifyReply): void {
  if (isAppError(err)) {
    // 503 `unavailable` is a passing state (the database or live state is unreachable): say when to come back.
    const status = statusOf(err.code);
    if (status === 503) reply.header('retry-after', String(RETRY_AFTER_SECONDS));
    reply.code(status).send({ error: err.code, message: err.message, ...err.details });
    return;
  }
  if (err.validation) {
    const where = err.validationContext ?? 'request';
    reply.code(400).send({ error: 'invalid_request', message: `${where}${err.message.replace(/^(body|querystring|params|headers)/, '')}` });
    return;
  }
  const mapped = fastifyCodeOf(err);
  if (mapped) {
    reply.code(statusOf(mapped)).send({ error: mapped, message: err.message });
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
