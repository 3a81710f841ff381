import 'reflect-metadata';
import cluster from 'node:cluster';
import { fileURLToPath } from 'node:url';
import { loadConfig } from './config/app-config.js';
import { isClusterPrimary, runPrimary } from './cluster.js';
import { describeStartupFailure, startServer } from './server.js';

const CONSOLE_DIR = fileURLToPath(new URL('../../../admin-ui/browser', import.meta.url));

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
  process.stderr.write(`${describeStartupFailure(err)}\n`);
  process.exit(1);
});
