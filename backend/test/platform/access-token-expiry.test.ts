import { createSecretKey } from 'node:crypto';
import { SignJWT } from 'jose';
import { bearer, startTestApp, ADMIN_EMAIL, type TestApp } from '../support/test-app.js';

const JWT_SECRET = 'a-jwt-secret-for-the-expiry-test-0123456789';

/** Verified access tokens are remembered (tokens.service.ts); these prove what is remembered still ends when it should. */
describe('access tokens already verified', () => {
  let t: TestApp;
  let adminId: string;
  beforeAll(async () => {
    t = await startTestApp({ env: { JWT_SECRET } });
    adminId = (await t.http().get('/api/v1/auth/me').set(bearer(t.adminToken))).body.id;
  });
  afterAll(async () => {
    await t.close();
  });

  const token = (expiresInSeconds: number, secret = JWT_SECRET) =>
    new SignJWT({ role: 'admin', email: ADMIN_EMAIL, typ: 'access' })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(adminId)
      .setIssuer('switchboard')
      .setAudience('switchboard-api')
      .setIssuedAt()
      .setExpirationTime(Math.floor(Date.now() / 1000) + expiresInSeconds)
      .sign(createSecretKey(Buffer.from(secret, 'utf8')));

  it('stop working when they expire, though the same token was accepted before', async () => {
    const short = await token(2);
    for (let i = 0; i < 3; i++) expect((await t.http().get('/api/v1/auth/me').set(bearer(short))).status).toBe(200);
    await new Promise((r) => setTimeout(r, 2_100));
    const after = await t.http().get('/api/v1/auth/me').set(bearer(short));
    expect(after.status).toBe(401);
  });

  it('are not confused with a token of the same claims under another key', async () => {
    const good = await token(60);
    expect((await t.http().get('/api/v1/auth/me').set(bearer(good))).status).toBe(200);
    const forged = await token(60, 'another-secret-of-the-same-length-0123456789');
    expect((await t.http().get('/api/v1/auth/me').set(bearer(forged))).status).toBe(401);
  });
});
