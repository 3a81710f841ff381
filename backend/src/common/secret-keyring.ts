import { createHash, hkdfSync, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { chmod, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export interface SecretKey {
  /** Short id stored beside every ciphertext, so rotation knows which key made it. */
  kid: string;
  key: Buffer;
}

export interface SecretKeyring {
  current: SecretKey;
  /** Keys still readable during a rotation; never used to encrypt. */
  previous: SecretKey[];
  /** Where the current key came from, for start-up messages (never the key itself). */
  source: 'environment' | 'key file';
  /** This start created the key file (there was none): a missing file, if data already needs a key. */
  generated?: string;
}

export class SecretKeyError extends Error {}

const KEY_FILE = 'secret.key';

/** Accepts 32 bytes as base64, base64url or hex. */
export function parseSecretKey(text: string, name: string): SecretKey {
  const trimmed = text.trim();
  let key: Buffer | undefined;
  if (/^[0-9a-fA-F]{64}$/.test(trimmed)) key = Buffer.from(trimmed, 'hex');
  else if (/^[A-Za-z0-9+/_-]{43}=?$/.test(trimmed)) key = Buffer.from(trimmed, 'base64');
  if (!key || key.length !== 32) {
    throw new SecretKeyError(
      `${name} must be 32 random bytes as base64 or hex (generate one with: node -e "console.log(require('crypto').randomBytes(32).toString('base64'))")`,
    );
  }
  return { kid: keyId(key), key };
}

export function keyId(key: Buffer): string {
  return createHash('sha256').update('switchboard-kid').update(key).digest('hex').slice(0, 12);
}

/**
 * Loads the master key from SWITCHBOARD_SECRET_KEY, or from `<dataDir>/secret.key`, creating that
 * file (mode 0600) on first start. The file holds one key per line: the current one first, then
 * keys still readable during a rotation. Several app instances on one database must share the key,
 * so they should set SWITCHBOARD_SECRET_KEY rather than rely on a per-machine file.
 */
export async function loadSecretKeyring(options: KeyringOptions): Promise<SecretKeyring> {
  const fromEnv = previousFromEnv(options.previousKeys);
  if (options.envKey) {
    return { current: parseSecretKey(options.envKey, 'SWITCHBOARD_SECRET_KEY'), previous: fromEnv, source: 'environment' };
  }
  const file = keyFilePath(options.dataDir);
  let text: string | undefined;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  let generated: string | undefined;
  if (text === undefined) {
    text = randomBytes(32).toString('base64');
    await mkdir(options.dataDir, { recursive: true });
    await writeFile(file, text + '\n', { mode: 0o600, flag: 'wx' });
    generated = file;
  }
  await chmod(file, 0o600);
  return { ...fromKeyFile(text, file, fromEnv), ...(generated ? { generated } : {}) };
}

/**
 * Reads the keys again, synchronously and without creating anything: for a request that meets a
 * key id this instance has not loaded yet, which cannot wait for an asynchronous reload.
 */
export function reloadSecretKeyringSync(options: KeyringOptions): SecretKeyring {
  const fromEnv = previousFromEnv(options.previousKeys);
  if (options.envKey) {
    return { current: parseSecretKey(options.envKey, 'SWITCHBOARD_SECRET_KEY'), previous: fromEnv, source: 'environment' };
  }
  const file = keyFilePath(options.dataDir);
  return fromKeyFile(readFileSync(file, 'utf8'), file, fromEnv);
}

interface KeyringOptions {
  envKey?: string;
  previousKeys?: string;
  dataDir: string;
}

function previousFromEnv(previousKeys: string | undefined): SecretKey[] {
  return (previousKeys ?? '')
    .split(',')
    .map((k) => k.trim())
    .filter(Boolean)
    .map((k) => parseSecretKey(k, 'SWITCHBOARD_PREVIOUS_SECRET_KEYS'));
}

function fromKeyFile(text: string, file: string, fromEnv: SecretKey[]): SecretKeyring {
  const [current, ...older] = text
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .map((l) => parseSecretKey(l, `the key file ${file}`));
  if (!current) throw new SecretKeyError(`the key file ${file} is empty`);
  return { current, previous: [...older, ...fromEnv], source: 'key file' };
}

export const keyFilePath = (dataDir: string) => join(dataDir, KEY_FILE);

/** Replaces the key file atomically (write aside, then rename), current key first. */
export async function writeKeyFile(dataDir: string, keys: SecretKey[]): Promise<void> {
  const file = keyFilePath(dataDir);
  const temp = `${file}.${process.pid}.tmp`;
  await writeFile(temp, keys.map((k) => k.key.toString('base64')).join('\n') + '\n', { mode: 0o600 });
  await rename(temp, file);
}

/** A key for one purpose (JWT signing, ...) derived from a master key, so one secret serves all. */
export function deriveKey(key: SecretKey, purpose: string): Buffer {
  return Buffer.from(hkdfSync('sha256', key.key, Buffer.alloc(0), `switchboard:${purpose}`, 32));
}
