import { DataSource } from 'typeorm';
import { bearer, startTestApp, ADMIN_EMAIL, ADMIN_PASSWORD, type TestApp } from '../support/test-app.js';

describe('auth', () => {
  let t: TestApp;
  beforeAll(async () => {
    // Behind a trusted proxy, so each test can sign in from its own client address.
    t = await startTestApp({ env: { TRUST_PROXY: 'true' } });
  });
  afterAll(async () => {
    await t.close();
  });

  const login = (email: string, password: string, ip = '10.0.0.1') =>
    t.http().post('/api/v1/auth/login').set('x-forwarded-for', ip).send({ email, password });

  it('signs in with the seeded admin (email case-insensitive) and returns who that is', async () => {
    const res = await login(ADMIN_EMAIL.toUpperCase(), ADMIN_PASSWORD);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ token_type: 'Bearer', expires_in: 900, user: { email: ADMIN_EMAIL, role: 'admin' } });
    expect(res.body.refresh_token).toMatch(/^sbr_/);
    const me = await t.http().get('/api/v1/auth/me').set(bearer(res.body.access_token));
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ email: ADMIN_EMAIL, role: 'admin' });
    expect(me.body.last_login_at).not.toBeNull();
  });

  it('refuses a wrong password with 401 problem+json and audits the failure without the password', async () => {
    const res = await login(ADMIN_EMAIL, 'not-the-password-at-all');
    expect(res.status).toBe(401);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body).toMatchObject({ code: 'auth.invalid_credentials', status: 401 });
    const events = await t.http().get('/api/v1/audit-events?action=auth.login_failed').set(bearer(t.adminToken));
    expect(events.body.items[0]).toMatchObject({ outcome: 'failed', actor_type: 'anonymous', actor_email: ADMIN_EMAIL });
    expect(JSON.stringify(events.body)).not.toContain('not-the-password-at-all');
  });

  it('stores passwords as argon2id hashes', async () => {
    const [row] = await t.app.get(DataSource).query('SELECT password_hash FROM users WHERE email = $1', [ADMIN_EMAIL]);
    expect(row.password_hash).toMatch(/^\$argon2id\$/);
  });

  it('rotates refresh tokens and revokes the family when an old one is replayed', async () => {
    const first = await login(ADMIN_EMAIL, ADMIN_PASSWORD);
    const second = await t.http().post('/api/v1/auth/refresh').send({ refresh_token: first.body.refresh_token });
    expect(second.status).toBe(200);
    expect(second.body.refresh_token).not.toBe(first.body.refresh_token);
    const replay = await t.http().post('/api/v1/auth/refresh').send({ refresh_token: first.body.refresh_token });
    expect(replay.status).toBe(401);
    const afterTheft = await t.http().post('/api/v1/auth/refresh').send({ refresh_token: second.body.refresh_token });
    expect(afterTheft.status).toBe(401);
  });

  it('ends a session on logout', async () => {
    const session = await login(ADMIN_EMAIL, ADMIN_PASSWORD);
    const out = await t
      .http()
      .post('/api/v1/auth/logout')
      .set(bearer(session.body.access_token))
      .send({ refresh_token: session.body.refresh_token });
    expect(out.status).toBe(204);
    const refresh = await t.http().post('/api/v1/auth/refresh').send({ refresh_token: session.body.refresh_token });
    expect(refresh.status).toBe(401);
  });

  it('throttles after ten failed sign-ins per IP and per email, with Retry-After', async () => {
    const user = await t.userWithRole('member');
    for (let i = 0; i < 10; i++) expect((await login(user.email, 'wrong-password-xyz', `10.1.0.${i}`)).status).toBe(401);
    const blockedByEmail = await login(user.email, user.password, '10.1.1.1');
    expect(blockedByEmail.status).toBe(429);
    expect(Number(blockedByEmail.headers['retry-after'])).toBeGreaterThan(0);
    expect(blockedByEmail.body.code).toBe('auth.too_many_failures');
    for (let i = 0; i < 10; i++) expect((await login(`nobody${i}@test.local`, 'wrong-password-xyz', '10.2.0.1')).status).toBe(401);
    expect((await login(ADMIN_EMAIL, ADMIN_PASSWORD, '10.2.0.1')).status).toBe(429);
    expect((await login(ADMIN_EMAIL, ADMIN_PASSWORD, '10.2.0.2')).status).toBe(200);
  });

  it('holds the limit against a parallel burst: at most ten passwords are tried, the rest get 429', async () => {
    const user = await t.userWithRole('member');
    const burst = await Promise.all(Array.from({ length: 30 }, () => login(user.email, 'wrong-password-xyz', '10.4.0.1')));
    const tried = burst.filter((res) => res.status === 401).length;
    // Two counters taken one after the other can refuse a few more than strictly needed, never fewer.
    expect(tried).toBeGreaterThan(0);
    expect(tried).toBeLessThanOrEqual(10);
    const refused = burst.filter((res) => res.status === 429);
    expect(refused).toHaveLength(30 - tried);
    for (const res of refused) expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
    const failed = await t.app
      .get(DataSource)
      .query(`SELECT count(*)::int AS n FROM audit_events WHERE action = 'auth.login_failed' AND actor_email = $1`, [user.email]);
    expect(failed[0].n).toBe(tried);
    expect((await login(user.email, user.password, '10.4.0.2')).status).toBe(429);
  });

  it('does not count successful sign-ins against the client address', async () => {
    for (let i = 0; i < 12; i++) expect((await login(ADMIN_EMAIL, ADMIN_PASSWORD, '10.5.0.1')).status).toBe(200);
  });

  it('changes your own password with the current one, and refuses a wrong current password', async () => {
    const user = await t.userWithRole('auditor');
    const wrong = await t
      .http()
      .put('/api/v1/auth/me/password')
      .set(bearer(user.token))
      .send({ current_password: 'nope', new_password: 'a-brand-new-password' });
    expect(wrong.status).toBe(422);
    expect(wrong.body.errors[0].field).toBe('current_password');
    const ok = await t
      .http()
      .put('/api/v1/auth/me/password')
      .set(bearer(user.token))
      .send({ current_password: user.password, new_password: 'a-brand-new-password' });
    expect(ok.status).toBe(204);
    expect((await login(user.email, 'a-brand-new-password', '10.3.0.1')).status).toBe(200);
    expect((await login(user.email, user.password, '10.3.0.2')).status).toBe(401);
  });
});

describe('users', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  it('creates, lists, updates and deletes users, auditing each change', async () => {
    const created = await t.http().post('/api/v1/users').set(bearer(t.adminToken)).send({
      email: 'Grace@Example.com',
      display_name: 'Grace Hopper',
      role: 'member',
      password: 'a-long-enough-password',
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ email: 'grace@example.com', role: 'member', is_active: true });
    expect(created.body).not.toHaveProperty('password_hash');
    const dup = await t
      .http()
      .post('/api/v1/users')
      .set(bearer(t.adminToken))
      .send({ email: 'grace@example.com', display_name: 'G', role: 'member', password: 'a-long-enough-password' });
    expect(dup.status).toBe(409);
    expect(dup.body.errors[0].field).toBe('email');
    const list = await t.http().get('/api/v1/users?search=grace').set(bearer(t.adminToken));
    expect(list.body).toMatchObject({ total: 1, page: 1 });
    const updated = await t.http().patch(`/api/v1/users/${created.body.id}`).set(bearer(t.adminToken)).send({ role: 'auditor' });
    expect(updated.body.role).toBe('auditor');
    const removed = await t.http().delete(`/api/v1/users/${created.body.id}`).set(bearer(t.adminToken));
    expect(removed.status).toBe(204);
    expect((await t.http().get(`/api/v1/users/${created.body.id}`).set(bearer(t.adminToken))).status).toBe(404);
    const events = await t.http().get(`/api/v1/audit-events?entity_type=user&entity_id=${created.body.id}`).set(bearer(t.adminToken));
    expect(events.body.items.map((e: { action: string }) => e.action)).toEqual(['user.deleted', 'user.updated', 'user.created']);
    expect(events.body.items[1].changes).toEqual({ role: { before: 'member', after: 'auditor' } });
    expect(events.body.items[2].changes.password.after).toBe('********');
  });

  it('refuses to remove the last active admin', async () => {
    const me = await t.http().get('/api/v1/auth/me').set(bearer(t.adminToken));
    const demote = await t.http().patch(`/api/v1/users/${me.body.id}`).set(bearer(t.adminToken)).send({ role: 'member' });
    expect(demote.status).toBe(400);
    expect(demote.body.code).toBe('user.last_admin');
    const self = await t.http().delete(`/api/v1/users/${me.body.id}`).set(bearer(t.adminToken));
    expect(self.status).toBe(400);
  });

  it('cuts off a deactivated user’s tokens and keys', async () => {
    const user = await t.userWithRole('member');
    const key = await t.http().post('/api/v1/api-keys').set(bearer(user.token)).send({ name: 'script' });
    expect((await t.http().get('/api/v1/auth/me').set(bearer(key.body.secret))).status).toBe(200);
    await t.http().patch(`/api/v1/users/${user.id}`).set(bearer(t.adminToken)).send({ is_active: false });
    expect((await t.http().get('/api/v1/auth/me').set(bearer(user.token))).status).toBe(401);
    expect((await t.http().get('/api/v1/auth/me').set(bearer(key.body.secret))).status).toBe(401);
  });

  it('refuses unknown fields instead of ignoring them (mass assignment)', async () => {
    const res = await t.http().post('/api/v1/users').set(bearer(t.adminToken)).send({
      email: 'x@example.com',
      display_name: 'X',
      role: 'member',
      password: 'a-long-enough-password',
      password_hash: 'x',
      is_admin: true,
    });
    expect(res.status).toBe(422);
    expect(res.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['is_admin', 'password_hash']);
  });
});

describe('API keys', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  it('shows the secret once, lists the prefix and last use, authenticates and revokes', async () => {
    const member = await t.userWithRole('member');
    const created = await t.http().post('/api/v1/api-keys').set(bearer(member.token)).send({ name: 'ci' });
    expect(created.status).toBe(201);
    expect(created.body.secret).toMatch(/^sbk_/);
    expect(created.body.prefix).toBe(created.body.secret.slice(0, 12));
    const me = await t.http().get('/api/v1/auth/me').set(bearer(created.body.secret));
    expect(me.body.email).toBe(member.email);
    // last_used_at is written off the request path: give that write a moment to land.
    let list = await t.http().get('/api/v1/api-keys').set(bearer(member.token));
    for (let i = 0; i < 20 && list.body[0]?.last_used_at === null; i++) {
      await new Promise((r) => setTimeout(r, 50));
      list = await t.http().get('/api/v1/api-keys').set(bearer(member.token));
    }
    expect(list.body).toHaveLength(1);
    expect(list.body[0]).not.toHaveProperty('secret');
    expect(list.body[0].last_used_at).not.toBeNull();
    expect(JSON.stringify(list.body)).not.toContain(created.body.secret);
    const revoked = await t.http().delete(`/api/v1/api-keys/${created.body.id}`).set(bearer(member.token));
    expect(revoked.status).toBe(204);
    expect((await t.http().get('/api/v1/auth/me').set(bearer(created.body.secret))).status).toBe(401);
  });

  it('never gives a key more rights than its owner and hides other users’ keys', async () => {
    const member = await t.userWithRole('member');
    const escalate = await t.http().post('/api/v1/api-keys').set(bearer(member.token)).send({ name: 'x', role: 'admin' });
    expect(escalate.status).toBe(422);
    expect(escalate.body.errors[0].field).toBe('role');
    const adminKey = await t.http().post('/api/v1/api-keys').set(bearer(t.adminToken)).send({ name: 'admin-key' });
    const steal = await t.http().delete(`/api/v1/api-keys/${adminKey.body.id}`).set(bearer(member.token));
    expect(steal.status).toBe(404);
    const withKey = await t.http().get('/api/v1/users').set(bearer(adminKey.body.secret));
    expect(withKey.status).toBe(200);
  });

  it('refuses an expired key', async () => {
    const created = await t
      .http()
      .post('/api/v1/api-keys')
      .set(bearer(t.adminToken))
      .send({ name: 'short', expires_at: new Date(Date.now() + 1500).toISOString() });
    expect((await t.http().get('/api/v1/auth/me').set(bearer(created.body.secret))).status).toBe(200);
    await new Promise((r) => setTimeout(r, 1600));
    expect((await t.http().get('/api/v1/auth/me').set(bearer(created.body.secret))).status).toBe(401);
  });
});
