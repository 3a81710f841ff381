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
  private reloader?: () => SecretKeyring;

  constructor(private keyring: SecretKeyring) {}

  /**
   * How to read the keys again when a ciphertext names a key id this instance does not have: a
   * rotation elsewhere may have re-encrypted under a new key before this instance heard of it.
   */
  reloadOnUnknownKey(reloader: () => SecretKeyring): void {
    this.reloader = reloader;
  }

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
    const known = this.allKeys().find((k) => k.kid === kid);
    if (known) return known;
    if (!this.reloader) throw new SecretDecryptionError(`no key with id ${kid} is configured`);
    // Once, then give up: a key id still unknown after reading the keys again is a real misconfiguration.
    try {
      this.keyring = this.reloader();
    } catch (err) {
      throw new SecretDecryptionError(`no key with id ${kid} is loaded, and reloading the keys failed: ${(err as Error).message}`);
    }
    const reloaded = this.allKeys().find((k) => k.kid === kid);
    if (!reloaded) {
      throw new SecretDecryptionError(
        `no key with id ${kid} is configured, even after reloading the keys (this instance has ${this.currentKid}): ` +
          'give it the key in SWITCHBOARD_SECRET_KEY or SWITCHBOARD_PREVIOUS_SECRET_KEYS, or the key file it was written with',
      );
    }
    return reloaded;
  }

  private allKeys(): SecretKey[] {
    return [this.keyring.current, ...this.keyring.previous];
  }
}
