/** An OAuth client: an application whose screens ask to sign someone in. */
export interface Client {
  client_id: string;
  name: string;
  /** False for a public client (no secret). */
  confidential: boolean;
  scopes: string[];
  owner_id: string | null;
  created_at: number;
}
