import 'reflect-metadata';
import cluster from 'node:cluster';
import { fileURLToPath } from 'node:url';
import { ConfigError, loadConfig } from './config/app-config.js';
import { isClusterPrimary, runPrimary } from './cluster.js';
import { startServer } from './server.js';

const CONSOLE_DIR = fileURLToPath(new URL('../../../admin-ui/browser', import.meta.url));
/** Failures whose message already says what to fix: one line, no stack trace. */
const EXPECTED = ['ConfigError', 'SecretKeyError', 'DatabaseUnreachableError', 'EmbeddedDatabaseError', 'KeyCheckError'];

async function main(): Promise<void> {
  if (typeof process.loadEnvFile === 'function') {
    try {
      process.loadEnvFile('.env');
    } catch {
      // No .env file: the environment alone configures the app.
    }
  }
  const config = loadConfig();
  if (isClusterPrimary(config)) return runPrimary(config, CONSOLE_DIR);
  const server = await startServer(config, { consoleDir: CONSOLE_DIR });
  if (cluster.isPrimary) process.stdout.write(`Switchboard is ready: console ${server.url}/  API docs ${server.url}/api/docs\n`);
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    process.stdout.write(`${signal} received: stopping…\n`);
    server.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        process.stderr.write(`error while stopping: ${String(err)}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

main().catch((err: unknown) => {
  const name = err instanceof Error ? err.constructor.name : '';
  if (err instanceof ConfigError || EXPECTED.includes(name)) {
    process.stderr.write(`switchboard: ${(err as Error).message}\n`);
  } else {
    process.stderr.write(`switchboard: start-up failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  }
  process.exit(1);
});
