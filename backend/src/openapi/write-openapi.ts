import 'reflect-metadata';
import { writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { createApp } from '../app.factory.js';
import { loadConfig } from '../config/app-config.js';
import { buildOpenApiDocument } from './openapi.js';

/**
 * Writes openapi.json from the code (no database needed: the app is built in preview mode).
 * `--check` fails when the committed file differs, which CI uses to catch a stale contract.
 */
async function main(): Promise<void> {
  const target = fileURLToPath(new URL('../../../../../openapi.json', import.meta.url));
  const app = await createApp({
    config: loadConfig({ LOG_LEVEL: 'silent' }),
    database: { url: 'postgres://unused/unused' },
    keyring: { current: { kid: 'preview', key: Buffer.alloc(32) }, previous: [], source: 'environment' },
    preview: true,
  });
  const text = JSON.stringify(buildOpenApiDocument(app), null, 2) + '\n';
  await app.close();
  if (process.argv.includes('--check')) {
    const { readFile } = await import('node:fs/promises');
    const committed = await readFile(target, 'utf8').catch(() => '');
    if (committed !== text) {
      process.stderr.write('openapi.json is stale: run `npm run openapi` and commit the result\n');
      process.exit(1);
    }
    process.stdout.write('openapi.json is up to date\n');
    return;
  }
  await writeFile(target, text);
  process.stdout.write(`wrote ${target}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
