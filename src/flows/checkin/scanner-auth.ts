import type { FastifyReply, FastifyRequest } from 'fastify';
import { requireUser } from '../../auth/http-auth.js';
import { liveAccessOf } from '../../auth/live-access.js';
import { sha256 } from '../../auth/secrets.js';
import { AppError } from '../../domain/errors.js';
import { deviceGrant, type LiveAccess } from '../../domain/live-grant.js';
import type { DeviceInfo, ScannerDevicesRepo } from '../../store/scanner-devices.js';
import type { User } from '../../store/users.js';

export const DEVICE_TOKEN_PREFIX = 'spd_';

/** Who is scanning: a signed-in user (cookie session or API key) or a provisioned device. */
export type Scanner = { kind: 'user'; user: User; access: LiveAccess } | { kind: 'device'; device: DeviceInfo };

const DEVICE_RE = /^Bearer\s+(spd_\S*)$/i;
const signedIn = requireUser('member');

/**
 * Resolves the caller of a scanner route. A device token in
 * `Authorization: Bearer spd_...` wins; an unknown or revoked one is 401.
 * Otherwise the caller must be signed in (cookie writes carry the CSRF
 * token); whether they may scan this session is the service's question.
 */
export async function scannerOf(req: FastifyRequest, reply: FastifyReply, devices: ScannerDevicesRepo): Promise<Scanner> {
  const token = req.headers.authorization && DEVICE_RE.exec(req.headers.authorization)?.[1];
  if (token) {
    const device = token.length <= 100 ? await devices.byTokenHash(sha256(token)) : undefined;
    if (!device) throw new AppError('unauthorized', 'the device token is unknown');
    if (device.revoked_at !== null) throw new AppError('device_revoked', 'this scanner has been revoked; ask an organiser to provision it again');
    return { kind: 'device', device };
  }
  await signedIn(req, reply);
  return { kind: 'user', user: req.principal!.user, access: liveAccessOf(req.principal!) };
}

/** The rights a scanner's channel tokens are minted under: the device, or the user's credential and account. */
export const scannerAccess = (s: Scanner): LiveAccess => (s.kind === 'device' ? { grants: [deviceGrant(s.device.id)] } : s.access);

/** The actor recorded with a scan; nonces are unique per actor. */
export const actorOf = (s: Scanner) =>
  s.kind === 'device'
    ? { key: `device:${s.device.id}`, name: s.device.name, userId: null, deviceId: s.device.id }
    : { key: `user:${s.user.id}`, name: s.user.name, userId: s.user.id, deviceId: null };
