/**
 * A sign-in: a user's cookie credential, from signing in until it expires or
 * they sign out. (An event's "session" is a part of the event: `event.ts`.)
 */
export interface SignIn {
  /** sha256 of the cookie value; the value itself is never stored. */
  idHash: string;
  userId: string;
  /** Sent back by the browser on every cookie-authenticated write. */
  csrfToken: string;
  createdAt: number;
  expiresAt: number;
  ip: string;
  userAgent: string;
}
