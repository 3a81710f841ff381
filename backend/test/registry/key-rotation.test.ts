import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { rotateKeys } from '../../src/cli/rotate-keys.js';
import { SecretBox } from '../../src/common/secret-box.js';
import { keyId, writeKeyFile } from '../../src/common/secret-keyring.js';
import { loadConfig } from '../../src/config/app-config.js';
import { Provider } from '../../src/providers/provider.entity.js';
import { ProvidersService } from '../../src/providers/providers.service.js';
import { aProvider } from '../support/registry.js';
import { ADMIN_EMAIL, ADMIN_PASSWORD, startTestApp, type TestApp } from '../support/test-app.js';

describe('npm run keys:rotate (key file installation)', () => {
  let t: TestApp;
  const dataDir = mkdtempSync(join(tmpdir(), 'sb-rotate-'));
  beforeAll(async () => {
    // No SWITCHBOARD_SECRET_KEY: the key lives in DATA_DIR/secret.key, created on first start.
    t = await startTestApp({ env: { SEED_REGISTRY: 'false', SWITCHBOARD_SECRET_KEY: '', DATA_DIR: dataDir, LOG_LEVEL: 'warn' } });
  });
  afterAll(async () => {
    await t.close();
  });

  it('re-encrypts every provider key under a new key while the app keeps serving, then retires the old key', async () => {
    const a = await aProvider(t, { kind: 'openai', api_key: 'sk-rotate-aaaa-1111' });
    const b = await aProvider(t, { kind: 'cohere', api_key: 'co-rotate-bbbb-2222' });
    const box = t.app.get(SecretBox);
    const oldKid = box.currentKid;
    const config = loadConfig({ DATABASE_URL: t.databaseUrl, DATA_DIR: dataDir, LOG_LEVEL: 'silent' });
    const lines: string[] = [];

    const report = await rotateKeys(config, { retire: false, print: (l) => lines.push(l) });
    expect(report.reencrypted).toBe(2);
    expect(report.current_kid).not.toBe(oldKid);
    expect(report.kids_in_use).toEqual([report.current_kid]);
    expect(readFileSync(join(dataDir, 'secret.key'), 'utf8').trim().split('\n')).toHaveLength(2);

    // The running app heard about the new key and still reads (and writes with) it; sessions survive.
    for (let i = 0; i < 50 && box.currentKid === oldKid; i++) await new Promise((r) => setTimeout(r, 20));
    expect(box.currentKid).toBe(report.current_kid);
    const repo = t.app.get(DataSource).getRepository(Provider);
    const providers = t.app.get(ProvidersService);
    expect(providers.openKey(await repo.findOneByOrFail({ id: a.id }))).toBe('sk-rotate-aaaa-1111');
    expect(providers.openKey(await repo.findOneByOrFail({ id: b.id }))).toBe('co-rotate-bbbb-2222');
    expect((await t.req('get', '/api/v1/providers')).status).toBe(200);
    const events = await t.req('get', '/api/v1/audit-events?action=provider.key_reencrypted');
    expect(events.body.items).toHaveLength(2);
    expect(events.body.items[0].changes.api_key_kid).toEqual({ before: oldKid, after: report.current_kid });

    await rotateKeys(config, { retire: true, print: (l) => lines.push(l) });
    expect(readFileSync(join(dataDir, 'secret.key'), 'utf8').trim().split('\n')).toHaveLength(1);
    expect(lines.join('\n')).toMatch(/retired 1 unused key/);
    expect(lines.join('\n')).not.toMatch(/sk-rotate|co-rotate/);
  }, 60_000);

  it('opens a key re-encrypted under a key it has not heard of yet by reloading the keys once, and fails clearly after that', async () => {
    // The first test retired the key the admin's access token was signed with: sign in again.
    const token = await t.login(ADMIN_EMAIL, ADMIN_PASSWORD);
    const created = await t.req('post', '/api/v1/providers', token).send({ name: 'Race', kind: 'openai', api_key: 'sk-race-cccc-3333' });
    expect(created.status).toBe(201);
    const p = created.body as { id: string };
    const box = t.app.get(SecretBox);
    const providers = t.app.get(ProvidersService);
    const repo = t.app.get(DataSource).getRepository(Provider);
    // What a rotation elsewhere does before this instance gets its notice: a new key first in the
    // file, and the row re-encrypted under it. No notice is sent, so only the box can catch up.
    const bytes = randomBytes(32);
    const fresh = { kid: keyId(bytes), key: bytes };
    await writeKeyFile(dataDir, [fresh, box.keys.current, ...box.keys.previous]);
    const sealed = new SecretBox({ current: fresh, previous: [], source: 'key file' }).seal('sk-race-cccc-3333', p.id);
    await repo.update({ id: p.id }, { apiKeyCiphertext: sealed.ciphertext, apiKeyKid: sealed.kid });

    const row = await repo.findOneByOrFail({ id: p.id });
    expect(providers.openKey(row)).toBe('sk-race-cccc-3333');
    expect(box.currentKid).toBe(fresh.kid);

    const strangerBytes = randomBytes(32);
    const stranger = new SecretBox({ current: { kid: keyId(strangerBytes), key: strangerBytes }, previous: [], source: 'key file' });
    const unreadable = Object.assign(new Provider(), row, { apiKeyCiphertext: stranger.seal('sk-nobody', p.id).ciphertext });
    expect(() => providers.openKey(unreadable)).toThrow(/no key with id \w+ is configured, even after reloading the keys/);
  });
});
