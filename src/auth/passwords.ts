import { hash, verify } from '@node-rs/argon2';
import { AppError } from '../domain/errors.js';

const MIN_PASSWORD_LENGTH = 8;
export const MAX_PASSWORD_LENGTH = 256;

/** argon2id with the library's defaults (19 MiB, 2 passes), OWASP's recommended floor. */
export const hashPassword = (password: string): Promise<string> => hash(password);

export async function verifyPassword(stored: string, password: string): Promise<boolean> {
  try {
    return await verify(stored, password);
  } catch {
    return false;
  }
}

export function checkPasswordStrength(password: string): void {
  if (password.length < MIN_PASSWORD_LENGTH) throw new AppError('weak_password', `passwords need at least ${MIN_PASSWORD_LENGTH} characters`);
  if (password.length > MAX_PASSWORD_LENGTH) throw new AppError('weak_password', `passwords may have at most ${MAX_PASSWORD_LENGTH} characters`);
}

// Verified against when the email is unknown, so a wrong email costs as long as a wrong password.
let dummy: Promise<string> | undefined;
export const dummyHash = (): Promise<string> => (dummy ??= hash('scanpass-timing-equaliser'));
