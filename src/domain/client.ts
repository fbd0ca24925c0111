/** The grants an application may use at the token endpoint (RFC 6749 4.1, 6; RFC 8628 3.4). */
export const GRANT_TYPES = ['authorization_code', 'refresh_token', 'urn:ietf:params:oauth:grant-type:device_code'] as const;
export type GrantType = (typeof GRANT_TYPES)[number];
export const DEVICE_CODE_GRANT: GrantType = 'urn:ietf:params:oauth:grant-type:device_code';

/** An OAuth client: an application whose screens ask to sign someone in. */
export interface Client {
  client_id: string;
  name: string;
  /** False for a public client (no secret). */
  confidential: boolean;
  scopes: string[];
  owner_id: string | null;
  created_at: number;
  /** Where the authorization endpoint may send the browser back (OpenID Core 3.1.2.1), compared exactly. */
  redirect_uris: string[];
  /** Where RP-initiated logout may send the browser afterwards. */
  post_logout_redirect_uris: string[];
  /** Values of GRANT_TYPES. */
  grant_types: string[];
  /** Where the back-channel logout token is POSTed (null: none). */
  backchannel_logout_uri: string | null;
}
