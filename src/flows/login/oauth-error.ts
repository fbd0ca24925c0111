import { Type, type TSchema } from '@fastify/type-provider-typebox';

/**
 * RFC 6749 section 5.2 and RFC 8628 section 3.5 errors: the OAuth endpoints
 * answer `{error, error_description}` with these codes, not ours.
 */
const OAUTH_ERROR_STATUS = {
  invalid_request: 400,
  invalid_client: 401,
  invalid_grant: 400,
  unauthorized_client: 400,
  unsupported_grant_type: 400,
  invalid_scope: 400,
  authorization_pending: 400,
  slow_down: 400,
  access_denied: 400,
  expired_token: 400,
  invalid_token: 401,
} as const;

export type OAuthErrorCode = keyof typeof OAUTH_ERROR_STATUS;

export class OAuthError extends Error {
  override name = 'OAuthError';
  readonly status: number;
  constructor(
    readonly code: OAuthErrorCode,
    readonly description: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(description);
    this.status = OAUTH_ERROR_STATUS[code];
  }

  body(): Record<string, unknown> {
    return { error: this.code, error_description: this.description, ...this.extra };
  }
}

/**
 * The error responses of an OAuth endpoint, from the codes it can answer:
 * one body per status whose `error` is an enum of them (as `errorResponses`
 * in http/schemas.ts does for our own shape).
 */
export function oauthErrorResponses(...codes: OAuthErrorCode[]): Record<number, TSchema> {
  const byStatus = new Map<number, OAuthErrorCode[]>();
  for (const code of new Set(codes)) byStatus.set(OAUTH_ERROR_STATUS[code], [...(byStatus.get(OAUTH_ERROR_STATUS[code]) ?? []), code]);
  return Object.fromEntries(
    [...byStatus].map(([status, list]) => [
      status,
      Type.Object(
        { error: Type.Enum(list), error_description: Type.Optional(Type.String()), interval: Type.Optional(Type.Integer({ description: 'with `slow_down`: seconds to wait between polls' })) },
        { description: list.map((c) => `\`${c}\``).join(', ') },
      ),
    ]),
  );
}
