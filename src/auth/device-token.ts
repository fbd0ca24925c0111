import type { FastifyRequest } from 'fastify';
import { AppError } from '../domain/errors.js';
import { sha256 } from './secrets.js';

/** Device tokens are random and short; anything longer is not one of ours. */
const DEVICE_TOKEN_MAX = 100;

/**
 * The provisioned device whose token the request carries in
 * `Authorization: Bearer <prefix>...` (a scanner's `spd_`, a queue board's or
 * kiosk's `sqd_`), looked up by the token's hash; undefined when the header
 * carries no token of that kind. An unknown token is 401 `unauthorized`, a
 * revoked one 401 `device_revoked` with `revokedMessage`.
 */
export async function deviceOf<D extends { revokedAt: number | null }>(
  req: FastifyRequest,
  prefix: string,
  byTokenHash: (hash: string) => Promise<D | undefined>,
  revokedMessage: string,
): Promise<D | undefined> {
  const header = req.headers.authorization;
  const token = header ? /^Bearer\s+(\S*)$/i.exec(header)?.[1] : undefined;
  if (!token?.toLowerCase().startsWith(prefix)) return undefined;
  const device = token.length <= DEVICE_TOKEN_MAX ? await byTokenHash(sha256(token)) : undefined;
  if (!device) throw new AppError('unauthorized', 'the device token is unknown');
  if (device.revokedAt !== null) throw new AppError('device_revoked', revokedMessage);
  return device;
}
