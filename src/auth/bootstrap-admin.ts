import { AppError } from '../domain/errors.js';
import { randomToken } from '../domain/random.js';
import type { Services } from '../services.js';

/** On a store with no accounts, creates the first admin and says how to sign in. */
export async function ensureAdmin(s: Services, announce: (line: string) => void): Promise<void> {
  if ((await s.users.count()) > 0) return;
  const password = s.config.adminPassword ?? randomToken(s.random, 12);
  try {
    await s.auth.createUser({ email: s.config.adminEmail, password, role: 'admin', name: 'Administrator' });
  } catch (err) {
    // Another node created it first.
    if (err instanceof AppError && err.code === 'email_taken') return;
    throw err;
  }
  announce(`scanpass: created the first admin account. Sign in at ${s.config.publicUrl}/signin`);
  announce(`scanpass:   email:    ${s.config.adminEmail}`);
  announce(`scanpass:   password: ${s.config.adminPassword ? '(from SCANPASS_ADMIN_PASSWORD)' : password}`);
}
