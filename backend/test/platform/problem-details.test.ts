import { ownerClient } from '../support/database.js';
import { bearer, startTestApp, type TestApp } from '../support/test-app.js';

const expectProblem = (res: { status: number; headers: Record<string, string>; body: Record<string, unknown> }, status: number) => {
  expect(res.status).toBe(status);
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  expect(res.body).toMatchObject({
    status,
    type: expect.stringMatching(/^urn:switchboard:problem:/),
    title: expect.any(String),
    detail: expect.any(String),
    code: expect.any(String),
  });
  expect(res.body.request_id).toBe(res.headers['x-request-id']);
};

describe('errors are problem+json', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ env: { BODY_LIMIT_BYTES: '4096' } });
  });
  afterAll(async () => {
    await t.close();
  });

  it('400 for malformed JSON', async () => {
    const res = await t.http().post('/api/v1/auth/login').set('content-type', 'application/json').send('{"email": ');
    expectProblem(res, 400);
    expect(res.body.code).toBe('malformed_json');
  });

  it('401 without credentials, with WWW-Authenticate', async () => {
    const res = await t.http().get('/api/v1/users');
    expectProblem(res, 401);
    expect(res.headers['www-authenticate']).toBe('Bearer');
  });

  it('403 for the wrong role', async () => {
    const member = await t.userWithRole('member');
    expectProblem(await t.http().get('/api/v1/audit-events').set(bearer(member.token)), 403);
  });

  it('404 for an unknown route and for an unknown record', async () => {
    expectProblem(await t.http().get('/api/v1/no-such-thing').set(bearer(t.adminToken)), 404);
    const missing = await t.http().get('/api/v1/users/5f1d7c8e-6a3b-4c2d-9e8f-0a1b2c3d4e5f').set(bearer(t.adminToken));
    expectProblem(missing, 404);
    expect(missing.body.code).toBe('user.not_found');
  });

  it('414 problem+json for a path parameter too long to route', async () => {
    const res = await t
      .http()
      .get(`/api/v1/users/${'x'.repeat(600)}`)
      .set(bearer(t.adminToken));
    expectProblem(res, 414);
    expect(res.body.code).toBe('path_too_long');
    const openAi = await t
      .http()
      .get(`/v1/models/${'x'.repeat(600)}`)
      .set(bearer(t.adminToken));
    expect(openAi.status).toBe(414);
    expect(openAi.body.error).toMatchObject({ code: 'path_too_long', message: expect.any(String) });
  });

  it('413 for a body over the limit', async () => {
    const res = await t
      .http()
      .post('/api/v1/auth/login')
      .send({ email: 'a@b.c', password: 'x'.repeat(10_000) });
    expectProblem(res, 413);
  });

  it('422 with field errors for invalid input, one per field', async () => {
    const res = await t
      .http()
      .post('/api/v1/users')
      .set(bearer(t.adminToken))
      .send({ email: 'not-an-email', role: 'owner', password: 'short' });
    expectProblem(res, 422);
    const fields = (res.body.errors as { field: string }[]).map((e) => e.field).sort();
    expect(fields).toEqual(['display_name', 'email', 'password', 'role']);
    const id = await t.http().get('/api/v1/users/not-a-uuid').set(bearer(t.adminToken));
    expectProblem(id, 422);
    expect(id.body.errors).toEqual([{ field: 'id', message: 'id must be a UUID' }]);
  });

  it('422 for a body that is not an object', async () => {
    expectProblem(await t.http().post('/api/v1/auth/login').send([1, 2]), 422);
  });

  it('429 with Retry-After when throttled', async () => {
    let last;
    for (let i = 0; i < 11; i++)
      last = await t.http().post('/api/v1/auth/login').send({ email: 'ghost@test.local', password: 'wrong-password' });
    expectProblem(last!, 429);
    expect(Number(last!.headers['retry-after'])).toBeGreaterThan(0);
  });

  it('500 with a request id and neither stack trace nor SQL when something unexpected breaks', async () => {
    const owner = await ownerClient(t.databaseUrl);
    try {
      await owner.query('ALTER TABLE users RENAME COLUMN display_name TO display_name_broken');
      const res = await t.http().get('/api/v1/users').set(bearer(t.adminToken));
      expectProblem(res, 500);
      expect(res.body.code).toBe('internal_error');
      const text = JSON.stringify(res.body);
      expect(text).not.toMatch(/SELECT|display_name|at .*\.js|QueryFailedError/);
      expect(t.logs.some((l) => l.includes('display_name') && l.includes(res.body.request_id))).toBe(true);
    } finally {
      await owner.query('ALTER TABLE users RENAME COLUMN display_name_broken TO display_name');
      await owner.end();
    }
  });

  it('echoes a well-formed x-request-id and replaces a malformed one', async () => {
    const given = await t.http().get('/health/live').set('x-request-id', 'trace-abc.123');
    expect(given.headers['x-request-id']).toBe('trace-abc.123');
    const bad = await t.http().get('/health/live').set('x-request-id', 'bad id with spaces');
    expect(bad.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });
});
