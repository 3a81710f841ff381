import { ALL_ROLES } from '../../src/auth/roles.decorator.js';
import type { Role } from '../../src/auth/user.entity.js';
import { concretePath, listRoutes, type RouteInfo } from '../support/routes.js';
import { bearer, startTestApp, type TestApp } from '../support/test-app.js';

const send = (t: TestApp, route: RouteInfo, token?: string) => {
  const path = concretePath(route.path);
  const req = t.http()[route.method.toLowerCase() as 'get' | 'post' | 'put' | 'patch' | 'delete'](path);
  if (token) req.set(bearer(token));
  return ['POST', 'PUT', 'PATCH'].includes(route.method) ? req.send({}) : req;
};

describe('every route is public or role-guarded', () => {
  let t: TestApp;
  let routes: RouteInfo[];
  const tokens = {} as Record<Role, string>;

  beforeAll(async () => {
    t = await startTestApp();
    routes = listRoutes(t.app);
    tokens.admin = t.adminToken;
    tokens.member = (await t.userWithRole('member')).token;
    tokens.auditor = (await t.userWithRole('auditor')).token;
  });
  afterAll(async () => {
    await t.close();
  });

  it('finds the routes it walks', () => {
    expect(routes.length).toBeGreaterThan(15);
    expect(routes.map((r) => `${r.method} ${r.path}`)).toContain('POST /api/v1/auth/login');
  });

  it('has no route that is neither @Public() nor @Roles(...)', () => {
    const unguarded = routes.filter((r) => !r.isPublic && !(r.roles && r.roles.length > 0));
    expect(unguarded.map((r) => r.handler)).toEqual([]);
  });

  it('answers 401 problem+json without credentials on every non-public route', async () => {
    const failures: string[] = [];
    for (const route of routes.filter((r) => !r.isPublic)) {
      const res = await send(t, route);
      // The OpenAI-compatible routes answer in OpenAI's error shape, which its SDKs parse.
      const shaped = route.path.startsWith('/v1/')
        ? typeof res.body?.error?.message === 'string'
        : String(res.headers['content-type']).startsWith('application/problem+json');
      if (res.status !== 401 || !shaped) {
        failures.push(`${route.method} ${route.path} → ${res.status}`);
      }
    }
    expect(failures).toEqual([]);
  });

  it('answers 401 to a forged or malformed token on every non-public route', async () => {
    const failures: string[] = [];
    for (const route of routes.filter((r) => !r.isPublic)) {
      const res = await send(t, route, 'eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.');
      if (res.status !== 401) failures.push(`${route.method} ${route.path} → ${res.status}`);
    }
    expect(failures).toEqual([]);
  });

  it('answers 403 to every role a route does not allow, and lets allowed roles past the guard', async () => {
    const failures: string[] = [];
    for (const route of routes.filter((r) => !r.isPublic)) {
      for (const role of ALL_ROLES) {
        const res = await send(t, route, tokens[role]);
        const allowed = route.roles!.includes(role);
        if (!allowed && res.status !== 403) failures.push(`${role} ${route.method} ${route.path} → ${res.status}, expected 403`);
        if (allowed && [401, 403].includes(res.status) && route.path !== '/api/v1/auth/logout') {
          failures.push(`${role} ${route.method} ${route.path} → ${res.status}, expected to pass the guard`);
        }
      }
    }
    expect(failures).toEqual([]);
  });

  it('records a denied request in the audit trail', async () => {
    const res = await t.http().get('/api/v1/users').set(bearer(tokens.member));
    expect(res.status).toBe(403);
    const audit = await t.http().get('/api/v1/audit-events?action=auth.access_denied').set(bearer(t.adminToken));
    expect(audit.body.items[0]).toMatchObject({ outcome: 'denied', entity_id: 'GET /api/v1/users', actor_role: 'member' });
  });
});
