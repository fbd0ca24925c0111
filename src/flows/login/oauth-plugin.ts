import type { QrImages } from '../../http/qr-images.js';
import type { App } from '../../http/types.js';
import { authorizeRoutes } from './authorize-routes.js';
import type { AuthorizeService } from './authorize-service.js';
import type { LoginService } from './login-service.js';
import { endSessionRoutes } from './sign-out-routes.js';
import type { SignOuts } from './sign-outs.js';
import { oauthErrorHandler } from './oauth-error-handler.js';
import { discoveryRoutes, oauthRoutes } from './oauth-routes.js';
import { qrRoutes } from './qr-routes.js';
import type { TokenIssuer } from './token-issuer.js';
import type { TokenSigner } from './token-signer.js';

export interface OAuthPluginOptions {
  service: LoginService;
  authorize: AuthorizeService;
  /** Issues and refreshes tokens. */
  tokens: TokenIssuer;
  signer: TokenSigner;
  secureCookies: boolean;
  signOuts: SignOuts;
  /** The public URL: the issuer named in discovery and in the tokens. */
  issuer: string;
  qr: QrImages;
}

/**
 * Everything under `/oauth/` and `/.well-known/`, as one encapsulated plugin.
 * Only the RFC 6749 / 8628 / OpenID endpoints (device authorization, token,
 * userinfo) sit in the inner scope whose error handler answers
 * `{error, error_description}`; discovery, the keys and the QR images answer
 * refusals in our `{error, message}` shape, as every other route does.
 */
export async function oauthPlugin(app: App, o: OAuthPluginOptions): Promise<void> {
  discoveryRoutes(app, o.signer, o.issuer);
  await app.register(async (rfc: App) => {
    rfc.setErrorHandler(oauthErrorHandler);
    oauthRoutes(rfc, o.service, o.authorize, o.tokens);
  });
  authorizeRoutes(app, o.authorize, { secureCookies: o.secureCookies });
  endSessionRoutes(app, o.signOuts);
  qrRoutes(app, o.service, o.qr);
}
