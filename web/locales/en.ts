/**
 * English messages: the reference dictionary. Every other locale must have
 * exactly these keys (checked by the type of `Messages`). `{name}` marks a
 * value filled in at run time.
 */
export const en = {
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

  'error.invalid_credentials': 'The email or password is incorrect.',
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
} as const;

export type MessageKey = keyof typeof en;
export type Messages = { readonly [K in MessageKey]: string };
