import { AppError } from '../../src/domain/errors.js';

/** The stable code of the refusal (an AppError) that `fn` throws; fails if it throws none. */
export function refusal(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    if (err instanceof AppError) return err.code;
    throw err;
  }
  throw new Error('expected a refusal');
}
