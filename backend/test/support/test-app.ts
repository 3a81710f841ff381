import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import request from 'supertest';
import type TestAgent from 'supertest/lib/agent.js';
import { loadConfig } from '../../src/config/app-config.js';
import { startServer, type RunningServer } from '../../src/server.js';
import type { Role } from '../../src/auth/user.entity.js';
import { createDatabase, dropDatabase } from './database.js';

export const ADMIN_EMAIL = 'admin@test.local';
export const ADMIN_PASSWORD = 'admin-password-for-tests';
/** 32 zero-ish bytes would do; a fixed test key keeps ciphertexts reproducible across app restarts in one file. */
export const TEST_SECRET_KEY = Buffer.alloc(32, 7).toString('base64');

export interface TestApp {
  app: NestFastifyApplication;
  server: RunningServer;
  http: () => TestAgent;
  /** A request with a bearer token (the admin's unless given). */
  req(method: 'get' | 'post' | 'put' | 'patch' | 'delete', path: string, token?: string): request.Test;
  databaseUrl: string;
  databaseName: string;
  /** Every log line the app wrote. */
  logs: string[];
  adminToken: string;
  login(email: string, password: string): Promise<string>;
  userWithRole(role: Role): Promise<{ id: string; email: string; password: string; token: string }>;
  close(): Promise<void>;
}

export interface TestAppOptions {
  env?: Record<string, string>;
  /** Reuse a database (a second instance, or a restart). */
  database?: { name: string; url: string };
  /** Keep the database when closing (for a restart in the same test). */
  keepDatabase?: boolean;
}

let userCounter = 0;

export async function startTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  const database = options.database ?? (await createDatabase());
  const logs: string[] = [];
  const config = loadConfig({
    DATABASE_URL: database.url,
    DATA_DIR: mkdtempSync(join(tmpdir(), 'sb-data-')),
    ADMIN_EMAIL,
    ADMIN_PASSWORD,
    SWITCHBOARD_SECRET_KEY: TEST_SECRET_KEY,
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'info',
    DB_POOL_SIZE: '20',
    ...options.env,
  });
  const logStream = new Writable({
    write(chunk: Buffer, _enc, done) {
      logs.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      done();
    },
  });
  const server = await startServer(config, { listen: false, print: (line) => logs.push(line), logStream });
  const app = server.app;
  await app.getHttpAdapter().getInstance().ready();
  const http = () => request(app.getHttpServer());
  const login = async (email: string, password: string) => {
    const res = await http().post('/api/v1/auth/login').send({ email, password });
    if (res.status !== 200) throw new Error(`login ${email} failed: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body.access_token as string;
  };
  const adminToken = await login(ADMIN_EMAIL, ADMIN_PASSWORD);
  return {
    app,
    server,
    http,
    req: (method, path, token) => {
      const agent = http();
      return agent[method](path).set('authorization', `Bearer ${token ?? adminToken}`);
    },
    databaseUrl: database.url,
    databaseName: database.name,
    logs,
    adminToken,
    login,
    async userWithRole(role) {
      const email = `${role}-${++userCounter}-${Date.now()}@test.local`;
      const password = `password-${role}-long-enough`;
      const res = await http()
        .post('/api/v1/users')
        .set('authorization', `Bearer ${adminToken}`)
        .send({ email, password, role, display_name: `${role} ${userCounter}` });
      if (res.status !== 201) throw new Error(`create user failed: ${res.status} ${JSON.stringify(res.body)}`);
      return { id: res.body.id as string, email, password, token: await login(email, password) };
    },
    async close() {
      await server.stop();
      if (!options.keepDatabase && !options.database) await dropDatabase(database.name);
    },
  };
}

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
