import type { AddressInfo } from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';

/** A message as it arrived: the envelope recipient and the parsed message (subject, text, html, attachments). */
export interface ArrivedMail {
  to: string;
  from: string;
  mail: ParsedMail;
  raw: string;
}

/**
 * A real SMTP server on a free port of 127.0.0.1 (the `smtp-server`
 * package, no TLS, any login accepted) that keeps every message it accepts.
 * `refuse(address, reply)` makes it refuse one recipient with a 550 and that reply.
 */
export async function startSmtpReceiver() {
  const arrived: ArrivedMail[] = [];
  const refused = new Map<string, string>();
  const server = new SMTPServer({
    secure: false,
    disabledCommands: ['STARTTLS'],
    authOptional: true,
    logger: false,
    onRcptTo(address, _session, callback) {
      const reply = refused.get(address.address.toLowerCase());
      if (reply) {
        const err = new Error(reply) as Error & { responseCode: number };
        err.responseCode = 550;
        return callback(err);
      }
      callback();
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks);
        simpleParser(raw).then(
          (mail) => {
            const from = session.envelope.mailFrom ? session.envelope.mailFrom.address : '';
            for (const r of session.envelope.rcptTo) arrived.push({ to: r.address, from, mail, raw: raw.toString('utf8') });
            callback();
          },
          (err: Error) => callback(err),
        );
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as AddressInfo).port;
  return {
    port,
    url: `smtp://127.0.0.1:${port}`,
    arrived,
    to: (address: string) => arrived.filter((m) => m.to === address),
    refuse: (address: string, reply: string) => refused.set(address.toLowerCase(), reply),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
export type SmtpReceiver = Awaited<ReturnType<typeof startSmtpReceiver>>;
