import { SettingsService } from '../../src/settings/settings.service.js';
import { bearer, startTestApp, type TestApp } from '../support/test-app.js';

describe('system settings', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  it('lists every known setting with its default', async () => {
    const res = await t.http().get('/api/v1/settings').set(bearer(t.adminToken));
    expect(res.status).toBe(200);
    const retries = res.body.find((s: { key: string }) => s.key === 'upstream.max_retries');
    expect(retries).toMatchObject({ value: 2, default: 2, type: 'integer', is_set: false, updated_at: null });
    const types = Object.fromEntries(res.body.map((s: { key: string; type: string }) => [s.key, s.type]));
    expect(types).toMatchObject({
      'security.allowed_private_hosts': 'string_list',
      'security.allow_loopback_endpoints': 'boolean',
      'conversations.title_model': 'generation_model',
    });
  });

  it('validates the value for its key and stores it, audited', async () => {
    const bad = await t.http().put('/api/v1/settings/upstream.max_retries').set(bearer(t.adminToken)).send({ value: 'three' });
    expect(bad.status).toBe(422);
    expect(bad.body.errors[0].field).toBe('value');
    const tooMany = await t.http().put('/api/v1/settings/upstream.max_retries').set(bearer(t.adminToken)).send({ value: 11 });
    expect(tooMany.status).toBe(422);
    const hosts = await t
      .http()
      .put('/api/v1/settings/security.allowed_private_hosts')
      .set(bearer(t.adminToken))
      .send({ value: ['10.0.0.0/8', 'not a host!'] });
    expect(hosts.status).toBe(422);
    expect(hosts.body.errors[0].field).toBe('value');
    const ok = await t.http().put('/api/v1/settings/upstream.max_retries').set(bearer(t.adminToken)).send({ value: 5 });
    expect(ok.body).toMatchObject({ key: 'upstream.max_retries', value: 5, is_set: true });
    const read = await t.http().get('/api/v1/settings/upstream.max_retries').set(bearer(t.adminToken));
    expect(read.body.value).toBe(5);
    const events = await t.http().get('/api/v1/audit-events?action=setting.updated').set(bearer(t.adminToken));
    expect(events.body.items).toHaveLength(1);
  });

  it('404s an unknown key and refuses a missing value', async () => {
    expect((await t.http().put('/api/v1/settings/no.such.key').set(bearer(t.adminToken)).send({ value: 1 })).status).toBe(404);
    const missing = await t.http().put('/api/v1/settings/upstream.max_retries').set(bearer(t.adminToken)).send({});
    expect(missing.status).toBe(422);
    // Null is "none" only where a setting has one.
    const none = await t.http().put('/api/v1/settings/upstream.max_retries').set(bearer(t.adminToken)).send({ value: null });
    expect(none.status).toBe(422);
    expect(none.body.errors[0].field).toBe('value');
  });

  it('lets auditors read but not write', async () => {
    const auditor = await t.userWithRole('auditor');
    expect((await t.http().get('/api/v1/settings').set(bearer(auditor.token))).status).toBe(200);
    expect((await t.http().put('/api/v1/settings/upstream.max_retries').set(bearer(auditor.token)).send({ value: 1 })).status).toBe(403);
  });

  it('hands out one snapshot while it is fresh, reads once for callers that find it stale, and shows a change at once', async () => {
    const settings = t.app.get(SettingsService);
    settings.invalidate();
    const [a, b] = await Promise.all([settings.snapshot(), settings.snapshot()]);
    expect(a).toBe(b);
    expect(await settings.snapshot()).toBe(a);
    const ok = await t.http().put('/api/v1/settings/upstream.queue_wait_ms').set(bearer(t.adminToken)).send({ value: 1234 });
    expect(ok.status).toBe(200);
    const after = await settings.snapshot();
    expect(after).not.toBe(a);
    expect(after.value('upstream.queue_wait_ms')).toBe(1234);
    expect(await settings.value('upstream.queue_wait_ms')).toBe(1234);
  });
});
