/** Every text `<scanpass-login>` shows, in each language it speaks. No DOM here, so Node tests can check it. */

export type LoginLocale = 'en' | 'zh-CN';

const en = {
  title: 'Sign in with your phone',
  scanHint: "Scan the code with your phone's camera.",
  manual: 'Or open {uri} and enter the code:',
  qrAlt: 'QR code for signing in',
  expiresIn: 'Code expires in {time}',
  loading: 'Getting a code…',
  renewing: 'The code expired. Getting a new one…',
  scanned: 'Scanned — confirm on your phone',
  matchHint: 'Choose this number on your phone:',
  approved: 'Approved — signing you in…',
  denied: 'Sign-in was denied on the phone.',
  expired: 'The code has expired.',
  error: 'Could not start signing in. Check your connection and try again.',
  tryAgain: 'Try again',
  newCode: 'Get a new code',
};

export type LoginTextKey = keyof typeof en;

const zhCN: Record<LoginTextKey, string> = {
  title: '用手机扫码登录',
  scanHint: '请用手机相机扫描二维码。',
  manual: '或在手机上打开 {uri} 并输入代码：',
  qrAlt: '登录二维码',
  expiresIn: '二维码将在 {time} 后失效',
  loading: '正在获取二维码…',
  renewing: '二维码已失效，正在获取新的二维码…',
  scanned: '已扫码，请在手机上确认',
  matchHint: '请在手机上选择这个数字：',
  approved: '已确认，正在登录…',
  denied: '已在手机上拒绝登录。',
  expired: '二维码已失效。',
  error: '无法开始登录。请检查网络连接后重试。',
  tryAgain: '重试',
  newCode: '获取新的二维码',
};

export const LOGIN_TEXTS: Readonly<Record<LoginLocale, Readonly<Record<LoginTextKey, string>>>> = { en, 'zh-CN': zhCN };

/** `zh`, `zh-Hans-CN`, `zh_TW` -> zh-CN; `en-GB` -> en; anything else -> undefined. */
export function loginLocale(tag: string | null | undefined): LoginLocale | undefined {
  const t = tag?.trim().toLowerCase().replace(/_/g, '-');
  if (!t) return undefined;
  if (t === 'zh' || t.startsWith('zh-')) return 'zh-CN';
  if (t === 'en' || t.startsWith('en-')) return 'en';
  return undefined;
}

export function loginText(locale: LoginLocale, key: LoginTextKey, vars: Readonly<Record<string, string>> = {}): string {
  return LOGIN_TEXTS[locale][key].replace(/\{(\w+)\}/g, (m, name: string) => vars[name] ?? m);
}
