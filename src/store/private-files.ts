import fs from 'node:fs';

/**
 * The SQLite folder holds the token-signing keys, channel-token key and
 * webhook secrets: only the server's own user may read it. New folders are
 * made 0700 and files 0600; a folder or file left looser by an older version
 * (0755 and 0644 under the usual umask) is tightened at start, with a
 * warning, since other local users may already have read it.
 */
const POSIX = process.platform !== 'win32';

export function ensurePrivateDir(dir: string, warn?: (message: string) => void): void {
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  tighten(dir, 0o700, warn);
}

/** Creates `file` empty with mode 0600 if missing (SQLite then gives its -wal and -shm files the same mode), or tightens it. */
export function ensurePrivateFile(file: string, warn?: (message: string) => void): void {
  try {
    fs.closeSync(fs.openSync(file, fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL, 0o600));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  tighten(file, 0o600, warn);
}

function tighten(p: string, mode: number, warn?: (message: string) => void): void {
  if (!POSIX) return;
  const current = fs.statSync(p).mode & 0o777;
  // Creation modes pass through the umask; a stricter umask than ours is fine.
  if ((current & ~mode) === 0) return;
  fs.chmodSync(p, mode);
  warn?.(`made ${p} private (mode ${current.toString(8)} -> ${mode.toString(8)}): it holds signing keys and secrets`);
}
