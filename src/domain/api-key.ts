/** An API key as the server sees it: never its hash, its scopes as a list (see api-key-scopes.ts). */
export interface ApiKey {
  id: string;
  name: string;
  /** The account the key acts as. */
  userId: string;
  createdAt: number;
  lastUsedAt: number | null;
  revokedAt: number | null;
  scopes: string[];
}
