import type { CodesOf } from '../../domain/errors.js';

/** QR share. The codes about a user code itself (`unknown_code`, `code_expired`...) are shared with login and live in domain/errors.ts. */
export const SHARE_ERRORS = {
  share_revoked: 410,
} as const satisfies Record<string, number>;

declare module '../../domain/errors.js' {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type
  interface ErrorCodes extends CodesOf<typeof SHARE_ERRORS> {}
}
