import http from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { errorHandler } from './error-handler.js';

/**
 * Answers for requests that fail before they reach a route, in our error
 * shape. Without these Fastify answers `{"error":"Bad Request",...}`: a URL
 * with a bad %-sequence, a path parameter past the router's length limit, or
 * headers too large for Node's parser all came back without a stable code.
 */

/** Router-level failures (bad URL, over-long parameter) go through the app's error handler like any other. */
export function frameworkErrors(err: FastifyError, req: FastifyRequest, reply: FastifyReply): void {
  errorHandler(err, req, reply);
}

const CLIENT_ERRORS: Record<string, { status: number; code: string; message: string }> = {
  HPE_HEADER_OVERFLOW: { status: 431, code: 'headers_too_large', message: 'the request headers are larger than this server accepts' },
  ERR_HTTP_REQUEST_TIMEOUT: { status: 408, code: 'request_timeout', message: 'the request did not arrive in time' },
};

/** Node's HTTP parser refused the bytes (no request exists yet): answer once and close, as Node itself does. */
export function clientErrorHandler(err: NodeJS.ErrnoException, socket: Socket): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  const known = err.code ? CLIENT_ERRORS[err.code] : undefined;
  const { status, code, message } = known ?? { status: 400, code: 'invalid_request', message: 'the request could not be parsed as HTTP' };
  // No route is known yet, so the body carries both shapes: ours and RFC 6749's (for the OAuth endpoints).
  const body = JSON.stringify({ error: code, message, error_description: message });
  if (socket.writable) {
    socket.write(`HTTP/1.1 ${status} ${http.STATUS_CODES[status]}\r\nContent-Length: ${Buffer.byteLength(body)}\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n${body}`);
  }
  socket.destroy(err);
}
