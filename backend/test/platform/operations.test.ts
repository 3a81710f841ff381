import { accessLinesOf } from '../support/access-lines.js';
import { ADMIN_PASSWORD, bearer, startTestApp, type TestApp } from '../support/test-app.js';

describe('operations endpoints and logs', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  it('answers liveness and readiness without credentials', async () => {
    expect((await t.http().get('/health/live')).body).toEqual({ status: 'ok' });
    const ready = await t.http().get('/health/ready');
    expect(ready.status).toBe(200);
    expect(ready.body.info.database.status).toBe('up');
  });

  it('exposes Prometheus metrics with request durations by route pattern and status', async () => {
    await t.http().get('/api/v1/users/3b0c5a4e-1111-4222-8333-444455556666').set(bearer(t.adminToken));
    const res = await t.http().get('/metrics');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain/);
    expect(res.text).toMatch(/http_request_duration_seconds_count\{method="GET",route="\/api\/v1\/users\/:id",status="404"\} 1/);
    expect(res.text).toContain('process_cpu_user_seconds_total');
    expect(res.text).not.toContain('3b0c5a4e-1111-4222-8333-444455556666');
  });

  it('serves the OpenAPI document and UI', async () => {
    const json = await t.http().get('/api/docs-json');
    expect(json.status).toBe(200);
    expect(json.body.paths['/api/v1/auth/login'].post.operationId).toBe('login');
    const ui = await t.http().get('/api/docs');
    expect(ui.status).toBe(200);
    expect(ui.text).toContain('swagger');
  });

  it('writes JSON log lines with the request id and never a password or token', async () => {
    const res = await t
      .http()
      .post('/api/v1/auth/login')
      .set('x-request-id', 'log-check-1')
      .send({ email: 'admin@test.local', password: ADMIN_PASSWORD });
    expect(res.status).toBe(200);
    await t.http().get('/api/v1/auth/me').set(bearer(res.body.access_token)).set('x-request-id', 'log-check-2');
    const lines = t.logs.filter((l) => l.startsWith('{'));
    const mine = lines.map((l) => JSON.parse(l)).filter((l) => ['log-check-1', 'log-check-2'].includes(l.req?.id));
    expect(mine).toHaveLength(2);
    const all = t.logs.join('\n');
    expect(all).not.toContain(ADMIN_PASSWORD);
    expect(all).not.toContain(res.body.access_token);
    expect(all).not.toContain(res.body.refresh_token);
  });

  it('writes one access line for requests refused before their handler: malformed JSON, an unknown path', async () => {
    const malformed = await t
      .http()
      .post('/api/v1/auth/login')
      .set('x-request-id', 'log-check-malformed')
      .set('content-type', 'application/json')
      .send('{"email":');
    expect(malformed.status).toBe(400);
    const unknown = await t.http().get('/api/v1/no-such-thing').set('x-request-id', 'log-check-unknown');
    expect(unknown.status).toBe(404);
    await new Promise((resolve) => setTimeout(resolve, 50)); // written when the response closes
    expect(accessLinesOf(t.logs, 'log-check-malformed')).toEqual([
      expect.objectContaining({ level: 40, req: expect.objectContaining({ path: '/api/v1/auth/login' }), res: { statusCode: 400 } }),
    ]);
    expect(accessLinesOf(t.logs, 'log-check-unknown')).toEqual([
      expect.objectContaining({ level: 40, req: expect.objectContaining({ path: '/api/v1/no-such-thing' }), res: { statusCode: 404 } }),
    ]);
  });
});
