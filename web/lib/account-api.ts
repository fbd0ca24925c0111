/**
 * The account page's API: the screens and apps signed in through this
 * account (cookie sign-in), and signing one of them out. The shapes are the
 * server's own, imported as types only: no TypeBox reaches the page.
 */
import type { Static } from 'typebox';
import type { SignedInAppView } from '../../src/flows/login/login-schemas.js';
import { api } from './api.js';

export type SignedInApp = Static<typeof SignedInAppView>;
/** Whether the application heard of the sign-out (OpenID back-channel logout). */
export type Backchannel = 'delivered' | 'failed' | 'not_registered';

/** Newest first. */
export async function listSignedInApps(): Promise<SignedInApp[]> {
  return (await api<{ apps: SignedInApp[] }>('GET', '/api/v1/me/apps')).apps;
}

/** Ends that sign-in; throws ApiError `unknown_grant` (404) when it had already ended. Needs getMe() first (CSRF token). */
export async function signOutApp(id: string): Promise<Backchannel> {
  return (await api<{ backchannel: Backchannel }>('DELETE', `/api/v1/me/apps/${encodeURIComponent(id)}`)).backchannel;
}
