import type { FastifyReply, FastifyRequest } from 'fastify';
import { notFoundHandler } from './error-handler.js';

/**
 * What an unknown URL answers. Programs (the API, OAuth, discovery, the live
 * endpoints, assets, probes) get the JSON 404 with its stable code, as
 * before; a person's browser gets the not-found page (web/not-found.html),
 * which offers the way home in their language.
 */

/** Sends the built not-found page with status 404 (web-pages.ts makes it once the pages exist). */
export type NotFoundPage = (reply: FastifyReply) => Promise<FastifyReply>;

/** Paths that belong to programs: an unknown one under these is never a page. */
const PROGRAM_PATHS = ['/api', '/oauth', '/.well-known', '/v1', '/assets', '/sdk', '/healthz', '/readyz', '/metrics'];

const isProgramPath = (path: string) => PROGRAM_PATHS.some((p) => path === p || path.startsWith(`${p}/`));

/**
 * A browser navigating: GET or HEAD, not a program's path, and not a caller
 * that asks for JSON alone (`Accept: application/json` without text/html).
 * `*\/*` and no Accept at all get the page: "unknown paths get a page".
 */
export function wantsNotFoundPage(req: FastifyRequest): boolean {
  if (req.method !== 'GET' && req.method !== 'HEAD') return false;
  if (isProgramPath(req.url.split('?')[0]!)) return false;
  const accept = String(req.headers.accept ?? '').toLowerCase();
  return accept.includes('text/html') || !accept.includes('application/json');
}

/** The app's not-found handler; `page` is set once the web pages are registered (not in an API-only build). */
export class NotFoundAnswers {
  page: NotFoundPage | undefined;

  readonly handler = async (req: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> => {
    if (this.page && wantsNotFoundPage(req)) {
      // The built file gone (a build under way): the JSON answer rather than a 500.
      const sent = await this.page(reply).catch(() => undefined);
      if (sent) return sent;
    }
    notFoundHandler(req, reply);
    return reply;
  };
}
