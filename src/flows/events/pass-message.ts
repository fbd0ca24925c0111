import { qrEncoder } from '../../http/qr-encoder.js';
import { qrPng } from '../../http/qr-png.js';
import type { OutgoingMail } from '../../mail/mail-transport.js';

/** The languages a pass e-mail is written in; an attendee without one gets English. */
export const MESSAGE_LANGUAGES = ['en', 'zh-CN'] as const;
export type MessageLanguage = (typeof MESSAGE_LANGUAGES)[number];
export const messageLanguage = (l: string | null | undefined): MessageLanguage => (l === 'zh-CN' ? 'zh-CN' : 'en');

const QR_CID = 'pass-qr@scanpass';

const TEXT = {
  en: {
    subject: (event: string) => `Your pass for ${event}`,
    hello: (name: string) => `Hello ${name},`,
    intro: (event: string, when: string) => `here is your personal pass for ${event} (${when}).`,
    open: 'Open this link on your phone on the day; it shows the code to scan at the entrance:',
    qr: 'Or scan this QR code with your phone:',
    keep: 'The link is yours alone: anyone who has it can show your pass, so do not forward it.',
    button: 'Open my pass',
  },
  'zh-CN': {
    subject: (event: string) => `您的入场凭证：${event}`,
    hello: (name: string) => `${name}，您好：`,
    intro: (event: string, when: string) => `这是您参加 ${event}（${when}）的个人入场凭证。`,
    open: '活动当天请在手机上打开以下链接，入场时出示其中的二维码供扫描：',
    qr: '也可以用手机扫描下面的二维码：',
    keep: '此链接仅供您本人使用：任何拿到链接的人都能出示您的凭证，请勿转发。',
    button: '打开我的凭证',
  },
} as const;

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function when(ms: number, lang: MessageLanguage): string {
  // The server does not know the attendee's time zone: say which one the time is in.
  return `${new Intl.DateTimeFormat(lang, { dateStyle: 'long', timeStyle: 'short', timeZone: 'UTC' }).format(new Date(ms))} UTC`;
}

/**
 * An attendee's pass e-mail: subject and body in their language, plain text
 * and HTML, with the link and a QR image of it attached inline (by CID,
 * which mail clients show; data: URIs are blocked by many).
 */
export async function passMessage(m: { to: string; name: string; eventName: string; eventStartsAt: number; language: string | null; url: string }): Promise<OutgoingMail> {
  const lang = messageLanguage(m.language);
  const t = TEXT[lang];
  const at = when(m.eventStartsAt, lang);
  const png = await qrPng((await qrEncoder()).create(m.url, { errorCorrectionLevel: 'M' }).modules, 320, 4);
  const text = [t.hello(m.name), '', t.intro(m.eventName, at), '', t.open, m.url, '', t.keep, ''].join('\n');
  const html = `<!doctype html><html lang="${lang}"><body style="font-family:system-ui,sans-serif;line-height:1.5">
<p>${escapeHtml(t.hello(m.name))}</p>
<p>${escapeHtml(t.intro(m.eventName, at))}</p>
<p>${escapeHtml(t.open)}</p>
<p><a href="${escapeHtml(m.url)}" style="font-weight:bold">${escapeHtml(t.button)}</a><br><span style="font-size:90%">${escapeHtml(m.url)}</span></p>
<p>${escapeHtml(t.qr)}</p>
<p><img src="cid:${QR_CID}" width="240" height="240" alt="${escapeHtml(m.url)}"></p>
<p style="color:#555">${escapeHtml(t.keep)}</p>
</body></html>`;
  return { to: m.to, subject: t.subject(m.eventName), text, html, attachments: [{ filename: 'pass-qr.png', content: png, contentType: 'image/png', cid: QR_CID }] };
}
