import { accountEn } from './account-en.js';
import { authorizeEn } from './authorize-en.js';
import { adminEventsEn } from './admin-events-en.js';
import { adminEn } from './admin-en.js';
import { adminQueuesEn } from './admin-queues-en.js';
import { adminUsersEn } from './admin-users-en.js';
import { checkinEn } from './checkin-en.js';
import { dashboardEn } from './dashboard-en.js';
import { eventEditsEn } from './event-edits-en.js';
import { homeEn } from './home-en.js';
import { offlineEn } from './offline-en.js';
import { queueEn } from './queue-en.js';
import { scannerEn } from './scanner-en.js';
import { shareEn } from './share-en.js';

/**
 * English messages: the reference dictionary. Every other locale must have
 * exactly these keys (checked by the type of `Messages`). `{name}` marks a
 * value filled in at run time.
 */
export const en = {
  ...shareEn,
  ...authorizeEn,
  ...accountEn,
  ...adminEn,
  ...adminEventsEn,
  ...adminQueuesEn,
  ...adminUsersEn,
  ...scannerEn,
  ...checkinEn,
  ...dashboardEn,
  ...eventEditsEn,
  ...offlineEn,
  ...queueEn,
  ...homeEn,
  'app.name': 'scanpass',
  'app.tagline': 'Scan a code to sign in, share, check in or join a queue.',
  'lang.label': 'Language',
  'nav.home': 'Home',
  'nav.main': 'Main',
  'common.loading': 'Loading…',
  'common.retry': 'Try again',

  'home.title': 'scanpass',
  'home.heading': 'Welcome to scanpass',
  'home.signedIn': 'You are signed in.',
  'home.name': 'Name',
  'home.email': 'Email',
  'home.role': 'Role',
  'home.signOut': 'Sign out',
  'home.signedOut': 'You are not signed in.',
  'home.signIn': 'Sign in',
  'home.docs': 'API documentation',
  'home.docsHint': 'For developers: every endpoint, with examples.',

  'role.admin': 'Administrator',
  'role.staff': 'Staff',
  'role.member': 'Member',

  'signin.title': 'Sign in · scanpass',
  'signin.heading': 'Sign in',
  'signin.intro': 'Use the email address and password of your scanpass account.',
  'signin.email': 'Email',
  'signin.password': 'Password',
  'signin.showPassword': 'Show password',
  'signin.hidePassword': 'Hide password',
  'signin.submit': 'Sign in',
  'signin.submitting': 'Signing in…',
  'signin.success': 'Signed in. Taking you onwards…',
  'signin.already': 'You are already signed in as {email}.',
  'signin.continue': 'Continue',

  'validation.emailRequired': 'Enter your email address.',
  'validation.emailInvalid': 'Enter an email address like name@example.com.',
  'validation.passwordRequired': 'Enter your password.',

  'signout.title': 'Sign out · scanpass',
  'signout.heading': 'Sign out',
  'signout.signedInAs': 'You are signed in as {name} ({email}).',
  'signout.button': 'Sign out',
  'signout.busy': 'Signing out…',
  'signout.done': 'You have signed out.',
  'signout.notSignedIn': 'You are not signed in.',
  'signout.signIn': 'Sign in',
  'signout.signInAgain': 'Sign in again',

  'device.title': 'Sign in on a screen · scanpass',
  'device.entryHeading': 'Sign in on a screen',
  'device.entryIntro': 'Type the code shown on the screen you want to sign in on.',
  'device.codeLabel': 'Code',
  'device.codeHint': '8 letters, like BCDF-GHJK. Upper or lower case, with or without the dash.',
  'device.continue': 'Continue',
  'device.codeRequired': 'Enter the code shown on the screen.',
  'device.codeInvalid': 'That does not look like a code. It has 8 letters, like BCDF-GHJK.',
  'device.redirecting': 'Taking you to sign in…',
  'device.requestHeading': 'Sign in on another screen?',
  'device.requestIntro': 'Approve only if you are in front of the screen showing this code and you started this yourself.',
  'device.app': 'Application',
  'device.asksFor': 'It asks to',
  'device.scope.openid': 'Sign you in',
  'device.scope.profile': 'See your name',
  'device.scope.email': 'See your email address',
  'device.scope.phone': 'See your phone number',
  'device.screen': 'Screen',
  'device.browserOn': '{browser} on {os}',
  'device.unknownBrowser': 'unknown browser',
  'device.started': 'Started',
  'device.code': 'Code',
  'device.codeCompare': 'Check that the screen shows the same code.',
  'device.expiresIn': 'This request expires in {time}.',
  'device.matchHeading': 'Pick the number shown on the screen',
  'device.matchHint': 'The screen now shows a two-digit number. Choose the same one here.',
  'device.approve': 'Approve',
  'device.deny': 'Deny',
  'device.approving': 'Approving…',
  'device.denying': 'Denying…',
  'device.pickFirst': 'Pick the number shown on the screen to approve.',
  'device.approvedHeading': 'Approved',
  'device.approved': 'You are signed in on the screen. You can close this page.',
  'device.deniedHeading': 'Denied',
  'device.denied': 'Request denied. The screen was not signed in.',
  'device.cancelledHeading': 'Request cancelled',
  'device.cancelled': 'That was not the number on the screen. The request was cancelled for your safety.',
  'device.errorHeading': 'This request cannot continue',
  'device.claimedHeading': 'Someone else scanned this code',
  'device.expiredHeading': 'This code has expired',
  'device.unknownHeading': 'Code not found',
  'device.retype': 'Type the code again',
  'device.otherCode': 'Enter another code',

  'error.invalid_credentials': 'The email or password is incorrect.',
  'error.account_disabled': 'This account is disabled. Ask an administrator to enable it.',
  'error.rate_limited': 'Too many attempts. Wait a minute, then try again.',
  'error.rate_limited_wait': 'Too many attempts. Try again in {seconds} seconds.',
  'error.network': 'Cannot reach the server. Check your connection and try again.',
  'error.invalid_request': 'Some of the details are not valid. Check them and try again.',
  'error.unauthorized': 'You are not signed in, or your session has ended. Sign in again.',
  'error.csrf_failed': 'This page is out of date. Reload it and try again.',
  'error.forbidden': 'Your account is not allowed to do this.',
  'error.unavailable': 'The service is busy or restarting. Try again in a moment.',
  'error.internal_error': 'Something went wrong on our side. Try again.',
  'error.unknown': 'Something went wrong. Try again.',
  'error.unknown_code': 'There is no sign-in request with this code. Check the code on the screen and type it again.',
  'error.code_expired': 'This code has expired. Ask the screen for a new code, then scan it again.',
  'error.code_used': 'This code has already been used. Ask the screen for a new code if you still want to sign in.',
  'error.claimed_elsewhere': 'Someone else has already scanned this code, so this phone cannot approve it. If that was not you, do not approve anything: someone may be trying to sign in as you. Ask the screen for a new code.',
  'error.not_claimed': 'This request was not opened on this phone. Open it again, then decide.',
  'error.match_required': 'Pick the number shown on the screen first.',
  'error.match_mismatch': 'That was not the number on the screen. The request was cancelled for your safety.',
} as const;

export type MessageKey = keyof typeof en;
export type Messages = { readonly [K in MessageKey]: string };
