import { rm } from 'node:fs/promises';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { DestinationStream } from 'pino';
import { DataSource } from 'typeorm';
import { AuditService } from './audit/audit.service.js';
import { createApp } from './app.factory.js';
import { loadSecretKeyring } from './common/secret-keyring.js';
import type { AppConfig } from './config/app-config.js';
import { assertReachable, migrate } from './database/database-bootstrap.js';
import { type EmbeddedDatabase, startEmbeddedPostgres } from './database/embedded-postgres.js';
import { ensureFirstAdmin, type FirstAdmin } from './database/seed.js';
import { SecretBox } from './common/secret-box.js';
import { ModelsService } from './models/models.service.js';
import { assertStoredKeysReadable, KeyCheckError } from './providers/key-check.js';
import { ProvidersService } from './providers/providers.service.js';
import { seedRegistry } from './registry/registry-seed.js';

export interface RunningServer {
  app: NestFastifyApplication;
  url: string;
  databaseUrl: string;
  embedded: boolean;
  migrationsApplied: string[];
  firstAdmin?: FirstAdmin;
  stop(): Promise<void>;
  /** Closes the app but leaves an embedded database running (cluster mode's primary). */
  closeApp(): Promise<void>;
  /** Stops the embedded database, if this process started one. */
  stopDatabase(): Promise<void>;
}

export interface StartOptions {
  consoleDir?: string;
  /** Where start-up notes go (the generated admin password among them). */
  print?: (line: string) => void;
  /** Don't listen on a port (tests drive the app in-process). */
  listen?: boolean;
  logStream?: DestinationStream;
}

/**
 * The whole start-up: database (embedded unless DATABASE_URL), migrations, app, first admin,
 * listen. Used by `main.ts` and by the tests, so both exercise the same path.
 */
export async function startServer(config: AppConfig, options: StartOptions = {}): Promise<RunningServer> {
  const print = options.print ?? ((line: string) => process.stdout.write(line + '\n'));
  const keyring = await loadSecretKeyring({
    envKey: config.SWITCHBOARD_SECRET_KEY,
    previousKeys: config.SWITCHBOARD_PREVIOUS_SECRET_KEYS,
    dataDir: config.dataDir,
  });
  let embedded: EmbeddedDatabase | undefined;
  let app: NestFastifyApplication | undefined;
  try {
    let databaseUrl = config.DATABASE_URL;
    if (databaseUrl) {
      await assertReachable(databaseUrl, 'DATABASE_URL');
    } else {
      print(`Starting embedded PostgreSQL in ${config.dataDir}/pg on 127.0.0.1:${config.EMBEDDED_PG_PORT}…`);
      embedded = await startEmbeddedPostgres({ dataDir: config.dataDir, port: config.EMBEDDED_PG_PORT, notice: print });
      databaseUrl = embedded.url;
    }
    const { applied, runtimeRole } = await migrate(databaseUrl);
    if (applied.length > 0) print(`Applied migrations: ${applied.join(', ')}`);
    app = await createApp({
      config,
      database: { url: databaseUrl, role: runtimeRole, poolSize: config.DB_POOL_SIZE },
      keyring,
      jwtSecret: config.JWT_SECRET,
      consoleDir: config.SERVE_CONSOLE ? options.consoleDir : undefined,
      logStream: options.logStream,
    });
    app.enableShutdownHooks([]);
    await app.init();
    await assertStoredKeysReadable(app.get(DataSource), app.get(SecretBox)).catch(async (error: unknown) => {
      if (!(error instanceof KeyCheckError) || !keyring.generated) throw error;
      // The data needs a key but the key file was missing: drop the new one, so restoring the
      // original is all it takes, and say so.
      await rm(keyring.generated, { force: true });
      throw new KeyCheckError(
        `the key file ${keyring.generated} is missing, but stored provider API keys need the key they were written with: ` +
          'restore that file, or set SWITCHBOARD_SECRET_KEY to its key',
      );
    });
    const firstAdmin = await ensureFirstAdmin(app.get(DataSource), app.get(AuditService), {
      email: config.ADMIN_EMAIL,
      password: config.ADMIN_PASSWORD,
    });
    if (config.SEED_REGISTRY && (await seedRegistry(app.get(DataSource), app.get(ProvidersService), app.get(ModelsService)))) {
      print('Registered a sample provider "Local Ollama" (http://localhost:11434) with llama3.2 and nomic-embed-text.');
    }
    if (firstAdmin?.generatedPassword) printFirstAdmin(print, firstAdmin);
    else if (firstAdmin) print(`Created the first admin ${firstAdmin.email} with ADMIN_PASSWORD.`);
    let url = '';
    if (options.listen !== false) {
      await app.listen({ port: config.PORT, host: config.HOST }).catch((err: unknown) => {
        throw portError(err, config) ?? err;
      });
      url = `http://localhost:${config.PORT}`;
    }
    const running = app;
    const db = embedded;
    let stopped = false;
    return {
      app: running,
      url,
      databaseUrl,
      embedded: Boolean(db),
      migrationsApplied: applied,
      firstAdmin,
      stop: async () => {
        if (stopped) return;
        stopped = true;
        await running.close();
        await db?.stop();
      },
      closeApp: async () => {
        if (stopped) return;
        stopped = true;
        await running.close();
      },
      stopDatabase: async () => {
        await db?.stop();
      },
    };
  } catch (err) {
    await app?.close().catch(() => undefined);
    await embedded?.stop().catch(() => undefined);
    throw err;
  }
}

/** The port cannot be bound (taken, or privileged); the message says which variable to change. */
export class PortUnavailableError extends Error {}

function portError(err: unknown, config: AppConfig): PortUnavailableError | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  const where = `${config.HOST}:${config.PORT}`;
  if (code === 'EADDRINUSE')
    return new PortUnavailableError(`PORT ${config.PORT} is already in use (${where}): stop what listens there or set PORT to a free port`);
  if (code === 'EACCES') return new PortUnavailableError(`PORT ${config.PORT} needs privileges to bind (${where}): use a port above 1023`);
  if (code === 'EADDRNOTAVAIL') return new PortUnavailableError(`HOST ${config.HOST} is not an address of this machine`);
  return undefined;
}

/** Failures whose message already says what to fix, by class name: main prints them as one line. */
const EXPECTED_FAILURES = [
  'ConfigError',
  'SecretKeyError',
  'DatabaseUnreachableError',
  'EmbeddedDatabaseError',
  'KeyCheckError',
  'PortUnavailableError',
];

/** What `main` prints when start-up fails: one line for expected failures, the stack for the rest. */
export function describeStartupFailure(err: unknown): string {
  const name = err instanceof Error ? err.constructor.name : '';
  if (EXPECTED_FAILURES.includes(name)) return `switchboard: ${(err as Error).message}`;
  return `switchboard: start-up failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`;
}

function printFirstAdmin(print: (line: string) => void, admin: FirstAdmin): void {
  print('');
  print('  ┌──────────────────────────────────────────────────────────────────┐');
  print('  │ First start: an admin account was created. This is shown ONCE.   │');
  print(`  │   email:    ${admin.email.padEnd(53)}│`);
  print(`  │   password: ${admin.generatedPassword!.padEnd(53)}│`);
  print('  │ Sign in and change it (or set ADMIN_EMAIL/ADMIN_PASSWORD next    │');
  print('  │ time you start on an empty database).                            │');
  print('  └──────────────────────────────────────────────────────────────────┘');
  print('');
}
