/** A key the server signs tokens with; every node signs with the oldest and publishes all. */
export interface SigningKey {
  kid: string;
  alg: string;
  /** JWK, as JSON text. */
  privateJwk: string;
  /** JWK with `kid`, `alg` and `use`, as JSON text: what /oauth/jwks publishes. */
  publicJwk: string;
  createdAt: number;
}
