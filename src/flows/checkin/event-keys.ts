import { createPrivateKey, createPublicKey, generateKeyPairSync, sign, timingSafeEqual, verify, type KeyObject } from 'node:crypto';
import type { PassSigner, PassVerifier } from '../../domain/pass-token.js';

/** A new Ed25519 key pair: the public key as raw 32 bytes, the private key as PKCS#8 DER, both base64url. */
export function generateEventKeys(): { publicKey: string; privateKey: string } {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const jwk = publicKey.export({ format: 'jwk' });
  return { publicKey: jwk.x!, privateKey: privateKey.export({ format: 'der', type: 'pkcs8' }).toString('base64url') };
}

const ed25519Signer = (key: KeyObject): PassSigner => ({ sign: (m) => sign(null, m, key) });

export const ed25519Verifier = (key: KeyObject): PassVerifier => ({
  verify: (m, sig) => {
    try {
      return verify(null, m, key, sig);
    } catch {
      return false;
    }
  },
});

/**
 * The server's own check of its codes. Ed25519 signatures are deterministic
 * (RFC 8032): the one genuine signature of a message is the one signing it
 * again gives. Signing costs a third of verifying (about 35 against 100 µs
 * here), and on a busy door verifying was a fifth of each scan. The compare
 * is constant-time, so timing tells a forger nothing about the right bytes.
 * Stricter than a verify: it accepts only the signature this server makes,
 * which is fine because only scanpass signs codes (scanners verify with the
 * public key).
 */
const ed25519ReSigner = (key: KeyObject): PassVerifier => ({
  verify: (m, sig) => sig.length === 64 && timingSafeEqual(sign(null, m, key), sig),
  // In libuv's thread pool: the door's busiest path is on one thread, the signing need not be.
  verifyAsync: (m, sig) =>
    sig.length !== 64
      ? Promise.resolve(false)
      : new Promise((resolve, reject) => sign(null, m, key, (err, again) => (err ? reject(err) : resolve(timingSafeEqual(again, sig))))),
});

export const publicKeyObject = (raw: string): KeyObject => createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: raw }, format: 'jwk' });

/**
 * Key objects per event, parsed once: an event's keys never change, so a
 * node may keep them for as long as it runs.
 */
export class EventKeyCache {
  private readonly privateKeys = new Map<string, KeyObject>();

  signer(eventId: string, privateKey: string): PassSigner {
    return ed25519Signer(this.privateKey(eventId, privateKey));
  }

  /** The server's check of an event seen before, without asking the store. */
  cachedVerifier(eventId: string): PassVerifier | undefined {
    const key = this.privateKeys.get(eventId);
    return key && ed25519ReSigner(key);
  }

  /** The server's check of the event's codes (see ed25519ReSigner). */
  verifier(eventId: string, privateKey: string): PassVerifier {
    return ed25519ReSigner(this.privateKey(eventId, privateKey));
  }

  private privateKey(eventId: string, privateKey: string): KeyObject {
    let key = this.privateKeys.get(eventId);
    if (!key) {
      key = createPrivateKey({ key: Buffer.from(privateKey, 'base64url'), format: 'der', type: 'pkcs8' });
      this.privateKeys.set(eventId, key);
    }
    return key;
  }
}
