/**
 * Where to go after signing in. Only a same-origin path is accepted
 * (`/approve?code=X`); anything that could leave the site (`//evil`,
 * `/\evil`, `https://evil`, `javascript:`) falls back to `/`.
 */
export function safeNext(raw: string | null | undefined, origin: string, fallback = '/'): string {
  if (!raw || raw.length > 2048) return fallback;
  // Must be a rooted path, and not protocol-relative (browsers read `/\` like `//`).
  if (!raw.startsWith('/') || raw.startsWith('//') || raw.startsWith('/\\')) return fallback;
  // Tabs and newlines are dropped by the URL parser, which could turn `/\t/evil` into `//evil`.
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f\\]/.test(raw)) return fallback;
  let url: URL;
  try {
    url = new URL(raw, origin);
  } catch {
    return fallback;
  }
  if (url.origin !== new URL(origin).origin) return fallback;
  return `${url.pathname}${url.search}${url.hash}`;
}
