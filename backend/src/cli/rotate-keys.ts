import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { keyId, loadSecretKeyring, writeKeyFile } from '../common/secret-keyring.js';
import { type AppConfig, loadConfig } from '../config/app-config.js';
import { NotificationHub } from '../database/notifications.js';
import { KeyRotationService, type RotationReport } from '../providers/key-rotation.service.js';
import { startServer } from '../server.js';

const USAGE = `npm run keys:rotate [-- --retire]

Key file installations (no SWITCHBOARD_SECRET_KEY): generates a new master key, puts it first in
DATA_DIR/secret.key (the old one stays readable), tells running instances to reload, and
re-encrypts every stored provider key under it. --retire afterwards drops keys nothing uses.

SWITCHBOARD_SECRET_KEY installations: first give every instance the new key in
SWITCHBOARD_SECRET_KEY and the old one in SWITCHBOARD_PREVIOUS_SECRET_KEYS (rolling restart),
then run this with the same environment to re-encrypt; finally remove the previous key.`;

/** The rotation itself, callable in-process (tests) as well as from the command line. */
export async function rotateKeys(config: AppConfig, options: { retire: boolean; print: (line: string) => void }): Promise<RotationReport> {
  const { retire, print } = options;
  if (!config.SWITCHBOARD_SECRET_KEY && !retire) {
    const keyring = await loadSecretKeyring({ dataDir: config.dataDir, previousKeys: config.SWITCHBOARD_PREVIOUS_SECRET_KEYS });
    const fresh = randomBytes(32);
    await writeKeyFile(config.dataDir, [{ kid: keyId(fresh), key: fresh }, keyring.current, ...keyring.previous]);
    print(`new master key ${keyId(fresh)} written to ${config.dataDir}/secret.key (previous ${keyring.current.kid} kept)`);
  }
  // The same start-up path as the app (embedded database or DATABASE_URL), without listening.
  const server = await startServer({ ...config, SEED_REGISTRY: false }, { listen: false, print: () => undefined });
  try {
    const hub = server.app.get(NotificationHub);
    await hub.notify('sb_keys', 'reload');
    const report = await server.app.get(KeyRotationService).reencryptAll();
    print(
      `re-encrypted ${report.reencrypted} provider key(s) under ${report.current_kid}; key ids in use: ${report.kids_in_use.join(', ') || 'none'}`,
    );
    if (retire) {
      if (config.SWITCHBOARD_SECRET_KEY) {
        print('remove from SWITCHBOARD_PREVIOUS_SECRET_KEYS every key whose id is not listed above');
      } else {
        const keyring = await loadSecretKeyring({ dataDir: config.dataDir });
        const kept = keyring.previous.filter((k) => report.kids_in_use.includes(k.kid));
        await writeKeyFile(config.dataDir, [keyring.current, ...kept]);
        await hub.notify('sb_keys', 'reload');
        print(`retired ${keyring.previous.length - kept.length} unused key(s)`);
      }
    }
    return report;
  } finally {
    await server.stop();
  }
}

async function main(): Promise<void> {
  if (process.argv.includes('--help')) return void process.stdout.write(USAGE + '\n');
  await rotateKeys(loadConfig(), { retire: process.argv.includes('--retire'), print: (line) => process.stdout.write(line + '\n') });
}

// Only when run as a script, not when a test imports rotateKeys.
if (process.argv[1]?.endsWith('rotate-keys.js'))
  main().catch((err: unknown) => {
    process.stderr.write(`keys:rotate: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  });
