import { bearer, startTestApp, ADMIN_EMAIL, ADMIN_PASSWORD, type TestApp } from '../support/test-app.js';

describe('auth', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  it('signs in with the seeded admin and returns who that is', async () => {
    const login = await t.http().post('/api/v1/auth/login').send({ email: ADMIN_EMAIL.toUpperCase(), password: ADMIN_PASSWORD });
    expect(login.status).toBe(200);
    expect(login.body).toMatchObject({ token_type: 'Bearer', expires_in: 900, user: { email: ADMIN_EMAIL, role: 'admin' } });
    const me = await t.http().get('/api/v1/auth/me').set(bearer(login.body.access_token));
    expect(me.status).toBe(200);
    expect(me.body.email).toBe(ADMIN_EMAIL);
    expect(me.body.last_login_at).not.toBeNull();
  });
});
