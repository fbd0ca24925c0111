import type * as Argon2 from '@node-rs/argon2';
import { AppError } from '../domain/errors.js';

const MIN_PASSWORD_LENGTH = 8;
export const MAX_PASSWORD_LENGTH = 256;

/** The native argon2 module, loaded by the first password that needs it rather than at start. */
let argon2: Promise<typeof Argon2> | undefined;
const loadArgon2 = () => (argon2 ??= import('@node-rs/argon2'));

/** argon2id with the library's defaults (19 MiB, 2 passes), OWASP's recommended floor. */
export const hashPassword = async (password: string): Promise<string> => (await loadArgon2()).hash(password);

export async function verifyPassword(stored: string, password: string): Promise<boolean> {
  try {
    return await (await loadArgon2()).verify(stored, password);
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
export const dummyHash = (): Promise<string> => (dummy ??= hashPassword('scanpass-timing-equaliser'));
