/**
 * Where to go after signing in. Only a same-origin path is accepted
 * (`/approve?code=X`); anything that could leave the site falls back to `/`.
 *
 * The string is resolved with the URL parser against the page's origin and
 * the *resolved* path is checked, not the raw input: dot segments collapse
 * (`/..//evil`, `/.%2e/..//evil` and `/%2e%2e//evil` all become `//evil`),
 * and the result is what `location.replace` will read again, so it must not
 * start with `//` or `/\` (protocol-relative) either.
 */
export function safeNext(raw: string | null | undefined, origin: string, fallback = '/'): string {
  if (!raw || raw.length > 2048) return fallback;
  // Must be a rooted path. Control characters (tabs and newlines are dropped by
  // the parser: `/\t/evil` reads as `//evil`) and backslashes (read like `/`) are refused outright.
  // eslint-disable-next-line no-control-regex
  if (!raw.startsWith('/') || /[\u0000-\u001f\u007f\\]/.test(raw)) return fallback;
  let base: URL;
  let url: URL;
  try {
    base = new URL(origin);
    url = new URL(raw, base);
  } catch {
    return fallback;
  }
  if (url.origin !== base.origin || url.username || url.password) return fallback;
  // Encoded slashes and backslashes in the path are never ours, and a proxy or
  // static server that decodes them could turn them back into `//evil`.
  if (url.pathname.startsWith('//') || /%2f|%5c/i.test(url.pathname)) return fallback;
  const out = `${url.pathname}${url.search}${url.hash}`;
  // Belt and braces: read back as a relative reference against any other origin,
  // the result must stay on that origin (a path, not an address).
  try {
    if (new URL(out, 'https://origin.invalid').host !== 'origin.invalid') return fallback;
  } catch {
    return fallback;
  }
  return out;
}
