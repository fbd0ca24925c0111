import { exportJWK, generateKeyPair, importJWK, jwtVerify, SignJWT, type JWK, type JWTPayload, type CryptoKey } from 'jose';
import type { SigningKeysRepo } from '../../store/signing-keys.js';
import { randomUuid, type Random } from '../../domain/random.js';

/** RS256: the algorithm every OpenID client must support. */
const ALG = 'RS256';

/**
 * Signs id_tokens and access tokens with a key kept in the store, so every
 * node signs alike; the JWKS publishes every stored key for verification.
 */
export class TokenSigner {
  private constructor(
    private readonly kid: string,
    private readonly privateKey: CryptoKey,
    private readonly publicKeys: Map<string, CryptoKey>,
    private readonly publicJwks: JWK[],
    private readonly issuer: string,
    /** Draws each token's `jti`. */
    private readonly random: Random,
  ) {}

  static async load(repo: SigningKeysRepo, issuer: string, now: number, random: Random): Promise<TokenSigner> {
    let rows = await repo.all();
    if (rows.length === 0) {
      const { privateKey, publicKey } = await generateKeyPair(ALG, { extractable: true, modulusLength: 2048 });
      const kid = randomUuid(random);
      const pub = { ...(await exportJWK(publicKey)), kid, alg: ALG, use: 'sig' };
      await repo.insertFirst({ kid, alg: ALG, privateJwk: JSON.stringify(await exportJWK(privateKey)), publicJwk: JSON.stringify(pub), createdAt: now });
      rows = await repo.all();
    }
    const current = rows[0]!;
    const privateKey = (await importJWK(JSON.parse(current.privateJwk) as JWK, current.alg)) as CryptoKey;
    const publicKeys = new Map<string, CryptoKey>();
    const publicJwks: JWK[] = [];
    for (const r of rows) {
      const jwk = JSON.parse(r.publicJwk) as JWK;
      publicJwks.push(jwk);
      publicKeys.set(r.kid, (await importJWK(jwk, r.alg)) as CryptoKey);
    }
    return new TokenSigner(current.kid, privateKey, publicKeys, publicJwks, issuer, random);
  }

  jwks(): { keys: JWK[] } {
    return { keys: this.publicJwks };
  }

  async sign(claims: JWTPayload, audience: string, ttlSeconds: number, nowMs: number, type = 'JWT'): Promise<string> {
    const iat = Math.floor(nowMs / 1000);
    return new SignJWT(claims)
      .setProtectedHeader({ alg: ALG, kid: this.kid, typ: type })
      .setIssuer(this.issuer)
      .setAudience(audience)
      .setIssuedAt(iat)
      .setExpirationTime(iat + ttlSeconds)
      // Every token is told apart by its id (RFC 9068 requires one in access tokens; RFC 7519 4.1.7).
      .setJti(randomUuid(this.random))
      .sign(this.privateKey);
  }

  /** Verifies one of our tokens; throws on a bad signature, issuer, type or expiry. */
  async verify(token: string, type: string, nowMs: number): Promise<JWTPayload> {
    const { payload } = await jwtVerify(
      token,
      async (header) => {
        const key = header.kid ? this.publicKeys.get(header.kid) : undefined;
        if (!key) throw new Error('unknown key');
        return key;
      },
      { issuer: this.issuer, typ: type, algorithms: [ALG], currentDate: new Date(nowMs) },
    );
    return payload;
  }
}
