import { createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';
import type { PassSigner, PassVerifier } from '../../domain/pass-token.js';

/** A new Ed25519 key pair: the public key as raw 32 bytes, the private key as PKCS#8 DER, both base64url. */
export function generateEventKeys(): { publicKey: string; privateKey: string } {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const jwk = publicKey.export({ format: 'jwk' });
  return { publicKey: jwk.x!, privateKey: privateKey.export({ format: 'der', type: 'pkcs8' }).toString('base64url') };
}

export const ed25519Signer = (key: KeyObject): PassSigner => ({ sign: (m) => sign(null, m, key) });

export const ed25519Verifier = (key: KeyObject): PassVerifier => ({
  verify: (m, sig) => {
    try {
      return verify(null, m, key, sig);
    } catch {
      return false;
    }
  },
});

export const publicKeyObject = (raw: string): KeyObject => createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: raw }, format: 'jwk' });

/** The public key as PEM (SPKI), for scanners whose crypto library wants that. */
export const publicKeyPem = (raw: string): string => publicKeyObject(raw).export({ format: 'pem', type: 'spki' }).toString();

/**
 * Key objects per event, parsed once: an event's keys never change, so a
 * node may keep them for as long as it runs.
 */
export class EventKeyCache {
  private readonly signers = new Map<string, PassSigner>();
  private readonly verifiers = new Map<string, PassVerifier>();

  signer(eventId: string, privateKey: string): PassSigner {
    let s = this.signers.get(eventId);
    if (!s) {
      s = ed25519Signer(createPrivateKey({ key: Buffer.from(privateKey, 'base64url'), format: 'der', type: 'pkcs8' }));
      this.signers.set(eventId, s);
    }
    return s;
  }

  /** The verifier of an event seen before, without asking the store. */
  cachedVerifier(eventId: string): PassVerifier | undefined {
    return this.verifiers.get(eventId);
  }

  verifier(eventId: string, publicKey: string): PassVerifier {
    let v = this.verifiers.get(eventId);
    if (!v) {
      v = ed25519Verifier(publicKeyObject(publicKey));
      this.verifiers.set(eventId, v);
    }
    return v;
  }
}
