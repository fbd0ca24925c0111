import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';
import { pushSubject } from '../../src/notifications/notifications.js';

/** The VAPID `sub` (RFC 8292): push services take only a mailto: or https: contact. */
describe('Web Push subject', () => {
  const load = (env: Record<string, string>) => loadConfig({ env, argv: [] });

  it('is SCANPASS_PUSH_SUBJECT when set, a mailto: address or an https URL', () => {
    expect(pushSubject(load({ SCANPASS_PUSH_SUBJECT: 'mailto:ops@example.org' }))).toBe('mailto:ops@example.org');
    expect(pushSubject(load({ SCANPASS_PUSH_SUBJECT: 'https://queue.example.org/contact' }))).toBe('https://queue.example.org/contact');
    for (const bad of ['http://example.org', 'ops@example.org', 'mailto:', 'https://', 'ftp://example.org']) {
      expect(() => load({ SCANPASS_PUSH_SUBJECT: bad }), bad).toThrow(ConfigError);
    }
  });

  it('defaults to the public URL when it is https on a real host, else mailto: the admin', () => {
    expect(pushSubject(load({ SCANPASS_PUSH_SUBJECT: '', SCANPASS_PUBLIC_URL: 'https://queue.example.org' }))).toBe('https://queue.example.org');
    expect(pushSubject(load({ SCANPASS_PUBLIC_URL: 'http://queue.example.org', SCANPASS_ADMIN_EMAIL: 'boss@example.org' }))).toBe('mailto:boss@example.org');
    expect(pushSubject(load({ SCANPASS_PUBLIC_URL: 'https://localhost:8443' }))).toBe('mailto:admin@scanpass.local');
    expect(pushSubject(load({}))).toBe('mailto:admin@scanpass.local');
  });
});
