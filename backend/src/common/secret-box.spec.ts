import { randomBytes } from 'node:crypto';
import { SecretBox, SecretDecryptionError } from './secret-box.js';
import { keyId, parseSecretKey, type SecretKeyring } from './secret-keyring.js';

const key = () => {
  const bytes = randomBytes(32);
  return { kid: keyId(bytes), key: bytes };
};
const ring = (current = key(), previous: ReturnType<typeof key>[] = []): SecretKeyring => ({ current, previous, source: 'environment' });

describe('SecretBox', () => {
  it('round-trips a secret bound to its record', () => {
    const box = new SecretBox(ring());
    const sealed = box.seal('sk-live-1234', 'provider-a');
    expect(sealed.ciphertext).not.toContain('sk-live');
    expect(box.open(sealed.ciphertext, 'provider-a')).toBe('sk-live-1234');
  });

  it('produces a different ciphertext each time for the same secret', () => {
    const box = new SecretBox(ring());
    expect(box.seal('same', 'p').ciphertext).not.toBe(box.seal('same', 'p').ciphertext);
  });

  it('refuses a ciphertext copied onto another record', () => {
    const box = new SecretBox(ring());
    const sealed = box.seal('sk-live-1234', 'provider-a');
    expect(() => box.open(sealed.ciphertext, 'provider-b')).toThrow(SecretDecryptionError);
  });

  it('refuses a tampered ciphertext', () => {
    const box = new SecretBox(ring());
    const parts = box.seal('sk-live-1234', 'p').ciphertext.split('.');
    parts[3] = Buffer.from('tampered!!').toString('base64url');
    expect(() => box.open(parts.join('.'), 'p')).toThrow(SecretDecryptionError);
  });

  it('reads ciphertexts of a previous key during rotation, and writes with the current one', () => {
    const old = key();
    const sealedWithOld = new SecretBox(ring(old)).seal('secret', 'p');
    const rotated = new SecretBox(ring(key(), [old]));
    expect(rotated.open(sealedWithOld.ciphertext, 'p')).toBe('secret');
    expect(rotated.seal('secret', 'p').kid).not.toBe(old.kid);
    expect(() => new SecretBox(ring()).open(sealedWithOld.ciphertext, 'p')).toThrow(/no key with id/);
  });

  it('reloads its keys once when a ciphertext names an unknown key id, then fails clearly', () => {
    const old = key();
    const fresh = key();
    const box = new SecretBox(ring(old));
    let reloads = 0;
    box.reloadOnUnknownKey(() => {
      reloads++;
      return ring(fresh, [old]);
    });
    const sealedElsewhere = new SecretBox(ring(fresh)).seal('secret', 'p');
    expect(box.open(sealedElsewhere.ciphertext, 'p')).toBe('secret');
    expect(box.currentKid).toBe(fresh.kid);
    expect(reloads).toBe(1);
    const unknown = new SecretBox(ring()).seal('secret', 'p');
    expect(() => box.open(unknown.ciphertext, 'p')).toThrow(/even after reloading the keys/);
    expect(reloads).toBe(2);
  });

  it('accepts 32-byte keys as base64 or hex and refuses anything else', () => {
    const bytes = randomBytes(32);
    expect(parseSecretKey(bytes.toString('base64'), 'K').key.equals(bytes)).toBe(true);
    expect(parseSecretKey(bytes.toString('hex'), 'K').key.equals(bytes)).toBe(true);
    expect(() => parseSecretKey('too-short', 'SWITCHBOARD_SECRET_KEY')).toThrow(/^SWITCHBOARD_SECRET_KEY must be 32 random bytes/);
  });
});
