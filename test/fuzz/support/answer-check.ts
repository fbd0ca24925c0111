import { SNAKE } from './fuzz-run.js';
import type { Answer } from './http-requests.js';

/** RFC 6749's endpoints answer errors as `{error, error_description}`; everything else as `{error, message}`. */
const OAUTH_SHAPED = /^\/oauth\/(token|device_authorization|userinfo)(\?|$)/;

/** What is wrong with an answer to `url`: a 5xx, or an error body without a stable code. */
export function answerProblems(url: string, a: Answer): string[] {
  if (a.held) return [];
  if (a.status >= 500) return [`answered ${a.status}`];
  if (a.status < 400) return [];
  let body: unknown;
  try {
    body = JSON.parse(a.body);
  } catch {
    return [`answered ${a.status} with a body that is not JSON (content-type ${a.headers['content-type']})`];
  }
  const b = body as Record<string, unknown>;
  const text = OAUTH_SHAPED.test(url) ? 'error_description' : 'message';
  const problems: string[] = [];
  if (typeof b.error !== 'string' || !SNAKE.test(b.error)) problems.push(`answered ${a.status} without a snake_case \`error\` code`);
  if (typeof b[text] !== 'string') problems.push(`answered ${a.status} without a string \`${text}\``);
  return problems;
}
