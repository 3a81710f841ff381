import { copyFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { ACCOUNTS, BASE_URL_VARIABLE } from './support/accounts.js';
import { FAKES_VARIABLE, startFakes } from './support/fakes.js';
import { ROOT, startServer } from './support/server.js';

/**
 * Starts the fake LLM upstreams and the built app once for the run, adds a member and an auditor,
 * and stops both at the end.
 */
export default async function globalSetup(): Promise<() => Promise<void>> {
  const fakes = await startFakes();
  let server: Awaited<ReturnType<typeof startServer>>;
  try {
    server = await startServer({
      ADMIN_EMAIL: ACCOUNTS.admin.email,
      ADMIN_PASSWORD: ACCOUNTS.admin.password,
      LOG_LEVEL: 'warn',
    });
  } catch (error) {
    await fakes.stop();
    throw error;
  }
  // Workers start after global setup and inherit its environment.
  process.env[BASE_URL_VARIABLE] = server.baseUrl;
  process.env[FAKES_VARIABLE] = JSON.stringify({ urls: fakes.urls, keys: fakes.keys });

  try {
    await createUsers(server.baseUrl);
  } catch (error) {
    await server.stop();
    await fakes.stop();
    throw error;
  }

  return async () => {
    // Keep the server's output next to the other test results for post-mortems.
    const results = join(ROOT, 'e2e/test-results');
    await mkdir(results, { recursive: true });
    await copyFile(server.logFile, join(results, 'server.log')).catch(() => undefined);
    await server.stop();
    await fakes.stop();
  };
}

async function createUsers(baseUrl: string): Promise<void> {
  const { access_token } = (await call(baseUrl, 'POST', '/api/v1/auth/login', undefined, {
    email: ACCOUNTS.admin.email,
    password: ACCOUNTS.admin.password,
  })) as { access_token: string };
  for (const role of ['member', 'auditor'] as const) {
    const account = ACCOUNTS[role];
    await call(baseUrl, 'POST', '/api/v1/users', access_token, {
      email: account.email,
      password: account.password,
      display_name: account.displayName,
      role,
    });
  }
}

async function call(baseUrl: string, method: string, path: string, token: string | undefined, body: unknown): Promise<unknown> {
  const response = await fetch(baseUrl + path, {
    method,
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`${method} ${path} answered ${response.status}: ${await response.text()}`);
  return response.json();
}
