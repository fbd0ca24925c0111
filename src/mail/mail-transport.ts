import type { createTransport as CreateTransport, Transporter } from 'nodemailer';

/** One message, already composed; `cid` attachments are shown inline by the HTML part. */
export interface OutgoingMail {
  to: string;
  subject: string;
  text: string;
  html: string;
  attachments: { filename: string; content: Buffer; contentType: string; cid: string }[];
}

/** Why a message did not go out, as the SMTP server (or the network) said it. */
export class MailRefused extends Error {
  override name = 'MailRefused';
  constructor(
    message: string,
    /** True when the server could not be reached or refused us (not this recipient): the rest of the job would fail the same way. */
    readonly serverWide: boolean,
  ) {
    super(message);
  }
}

export interface Mailer {
  send(mail: OutgoingMail): Promise<void>;
  close(): void;
}

/** Connection-level failures: nodemailer's codes for "cannot talk to this server at all". */
const SERVER_WIDE = new Set(['ECONNECTION', 'ETIMEDOUT', 'ESOCKET', 'EDNS', 'EAUTH', 'ETLS', 'ENOAUTH', 'EPROTOCOL', 'ECONNREFUSED', 'ECONNRESET', 'EHOSTUNREACH', 'ENOTFOUND', 'EOAUTH2']);

/** An SMTP error as one line a person can act on: the server's reply when there is one, else the network's reason. */
export function mailRefusal(err: unknown): MailRefused {
  const e = err as { code?: unknown; response?: unknown; responseCode?: unknown; message?: unknown } | null;
  const code = typeof e?.code === 'string' ? e.code : '';
  const reply = typeof e?.response === 'string' && e.response ? e.response : '';
  const message = reply || (typeof e?.message === 'string' ? e.message : String(err));
  // A 5xx or 4xx reply to the sender, or authentication, concerns every message; a refused recipient (EENVELOPE) only this one.
  const serverWide = SERVER_WIDE.has(code) || (code === '' && !reply);
  return new MailRefused(`${code ? `${code}: ` : ''}${message}`.replace(/\s+/g, ' ').trim().slice(0, 500), serverWide);
}

/**
 * SMTP through nodemailer, from `SCANPASS_SMTP_URL` (`smtp://user:pass@host:587`,
 * `smtps://...:465`; nodemailer reads options such as `?tls.rejectUnauthorized=false`
 * from the query). Timeouts are short, so a wrong host fails a job in
 * seconds instead of leaving its progress waiting for minutes.
 */
export function smtpMailer(url: string, from: string, timeouts = { connectMs: 10_000, socketMs: 30_000 }): Mailer {
  // nodemailer is loaded with the first message, not at start: most nodes never send one.
  let transport: Promise<Transporter> | undefined;
  const open = () =>
    (transport ??= import('nodemailer').then(({ createTransport }) =>
      createTransport({ url, pool: true, maxConnections: 2, connectionTimeout: timeouts.connectMs, greetingTimeout: timeouts.connectMs, socketTimeout: timeouts.socketMs } as Parameters<typeof CreateTransport>[0], { from }),
    ));
  return {
    async send(mail) {
      try {
        await (await open()).sendMail(mail);
      } catch (err) {
        throw mailRefusal(err);
      }
    },
    close: () => void transport?.then((t) => t.close()).catch(() => {}),
  };
}
