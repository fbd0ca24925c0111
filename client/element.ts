/**
 * Browser entry of the `<scanpass-login>` element: importing it registers the
 * tag. scanpass serves it bundled at `/sdk/scanpass-login.js`:
 *
 * @example
 * <script type="module" src="https://scan.example.com/sdk/scanpass-login.js"></script>
 * <scanpass-login server="https://scan.example.com" start="/auth/qr/start"></scanpass-login>
 *
 * Browser only; Node code imports `client/index.ts` (the live SDK) instead.
 */
import { defineScanpassLogin } from './scanpass-login.js';

export {
  ScanpassLoginElement,
  defineScanpassLogin,
  type ScanpassApprovedDetail,
  type ScanpassDeniedDetail,
  type ScanpassErrorDetail,
  type ScanpassExpiredDetail,
  type ScanpassLoginState,
  type ScanpassStartResponse,
} from './scanpass-login.js';
export { LOGIN_TEXTS, type LoginLocale } from './scanpass-login-texts.js';
export { createLiveClient, subscribe } from './live-client.js';

defineScanpassLogin();
