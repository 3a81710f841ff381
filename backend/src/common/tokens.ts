/** The HMAC secret for access tokens: JWT_SECRET, or derived from the master secret key. */
export class JwtKey {
  constructor(readonly secret: Buffer | string) {}
}
