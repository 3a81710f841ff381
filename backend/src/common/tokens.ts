import { createSecretKey, type KeyObject } from 'node:crypto';
import { deriveKey, type SecretKey } from './secret-keyring.js';
import type { SecretBox } from './secret-box.js';

/**
 * HMAC secrets for access tokens: JWT_SECRET when set, else derived from the master keys. Tokens
 * are signed with the current key and accepted under any key still in the keyring, so a key
 * rotation does not sign everyone out.
 */
export class JwtKeys {
  private readonly derived = new Map<string, KeyObject>();
  private readonly fixedKey?: KeyObject;

  constructor(
    private readonly box: SecretBox,
    fixed?: string,
  ) {
    // KeyObjects, not raw buffers: jsonwebtoken otherwise re-parses the secret on every call.
    if (fixed) this.fixedKey = createSecretKey(Buffer.from(fixed, 'utf8'));
  }

  signing(): KeyObject {
    return this.fixedKey ?? this.derive(this.box.keys.current);
  }

  verifying(): KeyObject[] {
    if (this.fixedKey) return [this.fixedKey];
    return [this.box.keys.current, ...this.box.keys.previous].map((k) => this.derive(k));
  }

  private derive(key: SecretKey): KeyObject {
    let secret = this.derived.get(key.kid);
    if (!secret) {
      secret = createSecretKey(deriveKey(key, 'jwt'));
      this.derived.set(key.kid, secret);
    }
    return secret;
  }
}
