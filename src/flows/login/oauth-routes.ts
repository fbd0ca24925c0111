import { Type } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { App } from '../../http/types.js';
import { LiveGrant } from '../../live/live-grant-schema.js';
import type { AuthorizeService } from './authorize-service.js';
import type { LoginService } from './login-service.js';
import type { TokenIssuer } from './token-issuer.js';
import { OAuthError, oauthErrorResponses } from './oauth-error.js';
import type { TokenSigner } from './token-signer.js';
import { SUPPORTED_SCOPES } from './clients-service.js';

const DEVICE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';
const GRANTS = [DEVICE_GRANT, 'authorization_code', 'refresh_token'];


/** client_secret_basic (RFC 6749 2.3.1): the Authorization header wins over the body. */
function clientCredentials(req: FastifyRequest, body: { client_id?: string | undefined; client_secret?: string | undefined }) {
  const h = req.headers.authorization;
  if (h && /^Basic /i.test(h)) {
    const decoded = Buffer.from(h.slice(6), 'base64').toString('utf8');
    const i = decoded.indexOf(':');
    if (i < 0) throw new OAuthError('invalid_client', 'malformed Basic credentials');
    // Both parts are form-urlencoded (RFC 6749 2.3.1); a bad %-sequence is the caller's error, not a 500.
    const formDecode = (s: string) => decodeURIComponent(s.replace(/\+/g, ' '));
    try {
      return { id: formDecode(decoded.slice(0, i)), secret: formDecode(decoded.slice(i + 1)) };
    } catch {
      throw new OAuthError('invalid_client', 'malformed Basic credentials');
    }
  }
  return { id: body.client_id, secret: body.client_secret };
}

/** Discovery (RFC 8414, OpenID Connect Discovery) and the signing keys: plain GETs, answered in our error shape. */
export function discoveryRoutes(app: App, signer: TokenSigner, issuer: string): void {
  // RFC 8414 authorization server metadata; OpenID Connect Discovery adds its own fields to it.
  const oauthMetadata = {
    issuer,
    authorization_endpoint: `${issuer}/oauth/authorize`,
    device_authorization_endpoint: `${issuer}/oauth/device_authorization`,
    token_endpoint: `${issuer}/oauth/token`,
    jwks_uri: `${issuer}/oauth/jwks`,
    end_session_endpoint: `${issuer}/oauth/logout`,
    grant_types_supported: GRANTS,
    response_types_supported: ['code'],
    response_modes_supported: ['query'],
    code_challenge_methods_supported: ['S256'],
    token_endpoint_auth_methods_supported: ['none', 'client_secret_post', 'client_secret_basic'],
    scopes_supported: [...SUPPORTED_SCOPES, 'offline_access'],
    // RFC 9207: the redirect back to the application names us, against mix-up attacks.
    authorization_response_iss_parameter_supported: true,
  };
  app.get('/.well-known/oauth-authorization-server', { schema: { tags: ['oauth'], summary: 'OAuth 2.0 Authorization Server metadata (RFC 8414)' } }, async () => oauthMetadata);
  app.get('/.well-known/openid-configuration', { schema: { tags: ['oauth'], summary: 'OpenID Provider metadata' } }, async () => ({
    ...oauthMetadata,
    userinfo_endpoint: `${issuer}/oauth/userinfo`,
    subject_types_supported: ['public'],
    id_token_signing_alg_values_supported: ['RS256'],
    claims_supported: ['sub', 'iss', 'aud', 'exp', 'iat', 'auth_time', 'nonce', 'sid', 'name', 'email', 'email_verified', 'phone_number'],
    prompt_values_supported: ['none', 'login', 'consent', 'select_account'],
    request_parameter_supported: false,
    request_uri_parameter_supported: false,
    backchannel_logout_supported: true,
    backchannel_logout_session_supported: true,
  }));

  app.get('/oauth/jwks', { schema: { tags: ['oauth'], summary: 'Public keys of the token signatures' } }, async (_req, reply) => {
    reply.header('cache-control', 'public, max-age=300');
    return signer.jwks();
  });
}

/**
 * The RFC 6749 / 8628 / OpenID endpoints. Registered inside the OAuth plugin
 * (oauth-plugin.ts), whose error handler answers `{error, error_description}`.
 */
export function oauthRoutes(app: App, service: LoginService, authorize: AuthorizeService, issuer: TokenIssuer): void {
  app.post(
    '/oauth/device_authorization',
    {
      schema: {
        tags: ['oauth'],
        summary: 'RFC 8628 device authorization request',
        description: 'Form-encoded. Besides the RFC fields the answer carries `live: {channel, token}`: watch it over /v1/live and call the token endpoint once it says `approved`. Send `live=true` when the screen shows live state: the phone must then match the number it shows.',
        consumes: ['application/x-www-form-urlencoded'],
        body: Type.Object({
          client_id: Type.Optional(Type.String({ maxLength: 200 })),
          client_secret: Type.Optional(Type.String({ maxLength: 200 })),
          scope: Type.Optional(Type.String({ maxLength: 500 })),
          live: Type.Optional(Type.Union([Type.Literal('true'), Type.Literal('false'), Type.Literal('1'), Type.Literal('0')])),
        }),
        response: {
          200: Type.Object({
            device_code: Type.String(),
            user_code: Type.String({ description: 'XXXX-XXXX' }),
            verification_uri: Type.String(),
            verification_uri_complete: Type.String({ description: 'put this in the QR code' }),
            expires_in: Type.Integer(),
            interval: Type.Integer(),
            live: LiveGrant,
          }),
          ...oauthErrorResponses('invalid_request', 'invalid_scope', 'invalid_client'),
        },
      },
    },
    async (req, reply) => {
      const creds = clientCredentials(req, req.body);
      const client = await service.authenticateClient(creds.id, creds.secret);
      const res = await service.authorize({
        client,
        scope: req.body.scope,
        live: req.body.live === 'true' || req.body.live === '1',
        ip: req.ip,
        userAgent: req.headers['user-agent'] ?? '',
      });
      reply.header('cache-control', 'no-store');
      return res;
    },
  );

  app.post(
    '/oauth/token',
    {
      schema: {
        tags: ['oauth'],
        summary: 'Token endpoint: device_code, authorization_code (with PKCE) and refresh_token grants',
        description: 'Form-encoded. A code is exchanged once: a second use revokes what the first issued. A refresh token is spent on use and replaced; presenting a spent one revokes the sign-in.',
        consumes: ['application/x-www-form-urlencoded'],
        body: Type.Object({
          grant_type: Type.String({ maxLength: 200 }),
          device_code: Type.Optional(Type.String({ maxLength: 200 })),
          code: Type.Optional(Type.String({ maxLength: 200 })),
          redirect_uri: Type.Optional(Type.String({ maxLength: 2000 })),
          code_verifier: Type.Optional(Type.String({ maxLength: 200 })),
          refresh_token: Type.Optional(Type.String({ maxLength: 200 })),
          scope: Type.Optional(Type.String({ maxLength: 500 })),
          client_id: Type.Optional(Type.String({ maxLength: 200 })),
          client_secret: Type.Optional(Type.String({ maxLength: 200 })),
        }),
        response: {
          200: Type.Object({
            access_token: Type.String(),
            token_type: Type.String(),
            expires_in: Type.Integer(),
            scope: Type.String(),
            id_token: Type.Optional(Type.String()),
            refresh_token: Type.Optional(Type.String()),
          }),
          ...oauthErrorResponses('invalid_request', 'unsupported_grant_type', 'unauthorized_client', 'invalid_grant', 'invalid_scope', 'authorization_pending', 'slow_down', 'access_denied', 'expired_token', 'invalid_client'),
        },
      },
    },
    async (req, reply) => {
      const { grant_type: grant, ...b } = req.body;
      if (!GRANTS.includes(grant)) throw new OAuthError('unsupported_grant_type', `grant_type must be one of ${GRANTS.join(', ')}`);
      const creds = clientCredentials(req, b);
      const client = await service.authenticateClient(creds.id, creds.secret);
      if (!client.grant_types.includes(grant)) throw new OAuthError('unauthorized_client', `this client is not registered for the ${grant} grant`);
      let tokens;
      if (grant === DEVICE_GRANT) {
        if (!b.device_code) throw new OAuthError('invalid_request', 'device_code is required');
        tokens = await service.token(client, b.device_code);
      } else if (grant === 'authorization_code') {
        if (!b.code) throw new OAuthError('invalid_request', 'code is required');
        tokens = await authorize.exchange(client, b.code, b.redirect_uri, b.code_verifier);
      } else {
        if (!b.refresh_token) throw new OAuthError('invalid_request', 'refresh_token is required');
        tokens = await issuer.refresh(client, b.refresh_token, b.scope);
      }
      reply.header('cache-control', 'no-store').header('pragma', 'no-cache');
      return tokens;
    },
  );

  const userinfo = async (req: FastifyRequest, reply: FastifyReply) => {
    const m = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '');
    // RFC 6750 section 3: a 401 from a protected resource carries a Bearer challenge
    // (with an error code only when a token was sent).
    if (!m) {
      reply.header('www-authenticate', 'Bearer realm="scanpass"');
      throw new OAuthError('invalid_token', 'send the access token as Authorization: Bearer');
    }
    let payload;
    try {
      payload = await service.verifyAccessToken(m[1]!);
    } catch {
      reply.header('www-authenticate', 'Bearer realm="scanpass", error="invalid_token", error_description="the access token is invalid or expired"');
      throw new OAuthError('invalid_token', 'the access token is invalid or expired');
    }
    return { sub: payload.sub, ...(payload.claims as Record<string, unknown>) };
  };
  app.get('/oauth/userinfo', { schema: { tags: ['oauth'], summary: 'OpenID UserInfo', response: oauthErrorResponses('invalid_token') } }, userinfo);
  app.post('/oauth/userinfo', { schema: { hide: true } }, userinfo);
}
