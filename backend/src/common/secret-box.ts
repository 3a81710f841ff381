import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { SecretKey, SecretKeyring } from './secret-keyring.js';

export interface SealedSecret {
  ciphertext: string;
  kid: string;
}

export class SecretDecryptionError extends Error {}

const VERSION = 'v1';

/**
 * AES-256-GCM with the owning row's id as associated data: a ciphertext copied onto another
 * row does not decrypt. Format: `v1.<kid>.<iv>.<ciphertext>.<tag>`, base64url parts.
 */
export class SecretBox {
  constructor(private keyring: SecretKeyring) {}

  /** Swaps in a reloaded keyring (a rotation added a key); existing ciphertexts stay readable. */
  replaceKeyring(keyring: SecretKeyring): void {
    this.keyring = keyring;
  }

  get keys(): SecretKeyring {
    return this.keyring;
  }

  get currentKid(): string {
    return this.keyring.current.kid;
  }

  seal(plaintext: string, boundTo: string): SealedSecret {
    const { kid, key } = this.keyring.current;
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', key, iv);
    cipher.setAAD(Buffer.from(boundTo, 'utf8'));
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    const parts = [VERSION, kid, iv, body, cipher.getAuthTag()].map((p) => (typeof p === 'string' ? p : p.toString('base64url')));
    return { ciphertext: parts.join('.'), kid };
  }

  open(ciphertext: string, boundTo: string): string {
    const [version, kid, iv, body, tag] = ciphertext.split('.');
    if (version !== VERSION || !kid || !iv || !body || tag === undefined) {
      throw new SecretDecryptionError('unrecognised ciphertext format');
    }
    const key = this.keyFor(kid);
    try {
      const decipher = createDecipheriv('aes-256-gcm', key.key, Buffer.from(iv, 'base64url'));
      decipher.setAAD(Buffer.from(boundTo, 'utf8'));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8');
    } catch {
      throw new SecretDecryptionError(`ciphertext does not decrypt with key ${kid} for this record`);
    }
  }

  canOpenKid(kid: string): boolean {
    return this.allKeys().some((k) => k.kid === kid);
  }

  private keyFor(kid: string): SecretKey {
    const key = this.allKeys().find((k) => k.kid === kid);
    if (!key) throw new SecretDecryptionError(`no key with id ${kid} is configured`);
    return key;
  }

  private allKeys(): SecretKey[] {
    return [this.keyring.current, ...this.keyring.previous];
  }
}
