import cluster, { type Worker } from 'node:cluster';
import type { AppConfig } from './config/app-config.js';
import { startServer } from './server.js';

/**
 * WORKERS > 1: the primary prepares everything once (embedded database, migrations, seeds), then
 * forks that many workers sharing the port, each a whole app on the same database. A worker that
 * dies after it started serving is replaced; one that fails before (port in use, bad settings)
 * would fail again, so everything stops with exit code 1, as do more than 5 deaths in a minute.
 * Ctrl-C stops the workers, then the database.
 */
export async function runPrimary(config: AppConfig, consoleDir: string): Promise<void> {
  const prepared = await startServer(config, { consoleDir, listen: false });
  await prepared.closeApp();
  const env = { DATABASE_URL: prepared.databaseUrl, WORKERS: '1', SEED_REGISTRY: 'false' };
  let stopping = false;
  const fork = () => cluster.fork(env);
  let listening = 0;
  const served = new Set<number>();
  const deaths: number[] = [];
  cluster.on('listening', (worker: Worker) => {
    served.add(worker.id);
    if (++listening === config.WORKERS) {
      process.stdout.write(
        `Switchboard is ready with ${config.WORKERS} workers: console http://localhost:${config.PORT}/  API docs http://localhost:${config.PORT}/api/docs\n`,
      );
    }
  });
  cluster.on('exit', (worker: Worker, code) => {
    if (stopping) return;
    const now = Date.now();
    deaths.push(now);
    while (deaths[0]! < now - 60_000) deaths.shift();
    if (!served.has(worker.id) || deaths.length > 5) {
      process.stderr.write(
        served.has(worker.id)
          ? `switchboard: workers keep dying (${deaths.length} in a minute); stopping\n`
          : `switchboard: a worker failed to start (exit ${code}); stopping\n`,
      );
      void stop('worker failure', 1);
      return;
    }
    process.stderr.write(`worker ${worker.process.pid} exited (${code}); starting another\n`);
    fork();
  });
  for (let i = 0; i < config.WORKERS; i++) fork();
  const stop = async (reason: string, exitCode = 0) => {
    if (stopping) return;
    stopping = true;
    process.stdout.write(`${reason}: stopping ${config.WORKERS} workers…\n`);
    const workers = Object.values(cluster.workers ?? {}).filter((w): w is Worker => Boolean(w));
    await Promise.all(
      workers.map((w) => new Promise((resolve) => (w.isDead() ? resolve(null) : (w.once('exit', resolve), w.kill('SIGTERM'))))),
    );
    await prepared.stopDatabase();
    process.exit(exitCode);
  };
  process.on('SIGINT', () => void stop('SIGINT received'));
  process.on('SIGTERM', () => void stop('SIGTERM received'));
}

export const isClusterPrimary = (config: AppConfig) => config.WORKERS > 1 && cluster.isPrimary;
