import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { SignJWT } from 'jose';
import { JwtKeys } from '../../src/common/tokens.js';
import { OllamaFake, OpenAiFake } from '../fakes/index.js';
import { aModel, aProvider } from '../support/registry.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { dumpDatabase } from './support/database-dump.js';
import type { OpenApiDoc, Operation, Schema } from './support/openapi-arbitraries.js';

const counts = { cases: 0, failures: 0 };
const check = (ok: boolean, what: string, failures: string[]) => {
  counts.cases++;
  if (!ok) {
    counts.failures++;
    failures.push(what);
  }
};

describe('security', () => {
  let t: TestApp;
  let openai: OpenAiFake;
  let ollama: OllamaFake;
  const doc = JSON.parse(readFileSync(new URL('../../../openapi.json', import.meta.url), 'utf8')) as OpenApiDoc;
  /** A provider key that must never come back out; the fake upstream accepts it, so chats succeed. */
  const canary = `sk-canary-${randomUUID()}`;

  beforeAll(async () => {
    openai = await new OpenAiFake({ apiKeys: ['sk-right', canary] }).start();
    ollama = await new OllamaFake().start();
    t = await startTestApp({ env: { SEED_REGISTRY: 'false' } });
  });
  afterAll(async () => {
    process.stdout.write(`security: cases=${counts.cases} failures=${counts.failures}\n`);
    await t.close();
    await openai.close();
    await ollama.close();
  });

  describe('tokens', () => {
    const forge = async (
      claims: Record<string, unknown>,
      options: { key?: Uint8Array; audience?: string; issuer?: string; expiresAt?: number } = {},
    ) => {
      const me = await t.req('get', '/api/v1/auth/me');
      const key = options.key ?? (t.app.get(JwtKeys).signing() as unknown as Uint8Array);
      return new SignJWT({ role: 'admin', email: me.body.email, typ: 'access', ...claims })
        .setProtectedHeader({ alg: 'HS256' })
        .setSubject(me.body.id)
        .setIssuer(options.issuer ?? 'switchboard')
        .setAudience(options.audience ?? 'switchboard-api')
        .setIssuedAt()
        .setExpirationTime(options.expiresAt ?? '5m')
        .sign(key);
    };

    it('refuses alg none, a wrong signature, an expired token, a wrong audience or issuer, and a revoked key', async () => {
      const failures: string[] = [];
      const me = await t.req('get', '/api/v1/auth/me');
      const header = Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url');
      const payload = Buffer.from(
        JSON.stringify({ sub: me.body.id, role: 'admin', typ: 'access', aud: 'switchboard-api', iss: 'switchboard', exp: 9_999_999_999 }),
      ).toString('base64url');
      const valid = await forge({});
      const tokens: Record<string, string> = {
        'alg none': `${header}.${payload}.`,
        'wrong signature': await forge({}, { key: new TextEncoder().encode('x'.repeat(32)) }),
        expired: await forge({}, { expiresAt: Math.floor(Date.now() / 1000) - 60 }),
        'wrong audience': await forge({}, { audience: 'another-api' }),
        'wrong issuer': await forge({}, { issuer: 'someone-else' }),
        'refresh type': await forge({ typ: 'refresh' }),
        'tampered payload': `${valid.split('.')[0]}.${payload}.${valid.split('.')[2]}`,
      };
      check(
        (await t.http().get('/api/v1/auth/me').set('authorization', `Bearer ${valid}`)).status === 200,
        'a correctly signed token is accepted',
        failures,
      );
      for (const [what, token] of Object.entries(tokens)) {
        const res = await t.http().get('/api/v1/users').set('authorization', `Bearer ${token}`);
        check(res.status === 401 && !JSON.stringify(res.body).includes(me.body.email), `${what} → ${res.status}`, failures);
      }
      const key = await t.req('post', '/api/v1/api-keys').send({ name: 'to revoke' });
      await t.req('delete', `/api/v1/api-keys/${key.body.id}`);
      check(
        (await t.http().get('/api/v1/auth/me').set('authorization', `Bearer ${key.body.secret}`)).status === 401,
        'revoked key',
        failures,
      );
      expect(failures).toEqual([]);
    });
  });

  it('refuses mass assignment of role, is_default, api_key_ciphertext and owner_id with 422', async () => {
    const failures: string[] = [];
    const provider = await aProvider(t);
    const member = await t.userWithRole('member');
    const attempts: [string, string, Record<string, unknown>, string?][] = [
      ['post', '/api/v1/users', { email: 'm@a.io', display_name: 'M', role: 'member', password: 'long-enough-password', is_admin: true }],
      ['post', '/api/v1/providers', { name: 'P', kind: 'ollama', api_base: 'http://h:1', api_key_ciphertext: 'v1.x' }],
      ['post', '/api/v1/models', { provider_id: provider.id, display_name: 'D', model_id: 'm', type: 'ner', is_default: true }],
      ['patch', `/api/v1/providers/${provider.id}`, { api_key_kid: 'abc' }],
      ['post', '/api/v1/conversations', { owner_id: randomUUID() }, member.token],
      ['patch', '/api/v1/users/' + member.id, { role: 'admin', password_hash: 'x' }],
      ['post', '/api/v1/api-keys', { name: 'k', secret_hash: 'x' }, member.token],
      ['put', '/api/v1/auth/me/password', { current_password: 'x', new_password: 'long-enough-password', role: 'admin' }, member.token],
    ];
    for (const [method, path, body, token] of attempts) {
      const res = await t.req(method as 'post', path, token).send(body);
      check(
        res.status === 422 && res.body.errors.some((e: { code: string }) => e.code === 'unknown_field'),
        `${method} ${path} → ${res.status}`,
        failures,
      );
    }
    expect(failures).toEqual([]);
  });

  it('enforces the role matrix of openapi.json for every operation (401 anonymous, 403 other roles)', async () => {
    const failures: string[] = [];
    const tokens = {
      admin: t.adminToken,
      member: (await t.userWithRole('member')).token,
      auditor: (await t.userWithRole('auditor')).token,
    };
    for (const [path, methods] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(methods) as [string, Operation][]) {
        const concrete = path.replace(/\{[^}]+\}/g, () => randomUUID());
        const anonymous = await t.http()[method as 'get'](concrete);
        check(
          op['x-public'] ? anonymous.status !== 401 : anonymous.status === 401,
          `anonymous ${method} ${path} → ${anonymous.status}`,
          failures,
        );
        if (op['x-public']) continue;
        check(Array.isArray(op['x-roles']) && op['x-roles'].length > 0, `${op.operationId} documents its roles`, failures);
        for (const [role, token] of Object.entries(tokens)) {
          if (op['x-roles']!.includes(role)) continue;
          const res = await t.http()[method as 'get'](concrete).set('authorization', `Bearer ${token}`);
          const leaked = JSON.stringify(res.body).includes('"items"');
          check(res.status === 403 && !leaked, `${role} ${method} ${path} → ${res.status}`, failures);
        }
      }
    }
    expect(failures).toEqual([]);
  });

  it('answers 404 for someone else’s object on every operation of an owner-scoped resource in openapi.json', async () => {
    const failures: string[] = [];
    const provider = await aProvider(t, { kind: 'ollama', api_base: ollama.url });
    await aModel(t, provider.id, { display_name: 'ownership-model', model_id: 'llama3.2' });
    const alice = await t.userWithRole('member');
    const bob = await t.userWithRole('member');
    // Owner-scoped resources are the collections whose list takes `owner_id` (admins see anyone's);
    // every operation on one of their objects is tried by another member on Alice's object.
    const owned = Object.keys(doc.paths).filter((path) =>
      (doc.paths[path].get as Operation | undefined)?.parameters?.some((p) => p.in === 'query' && p.name === 'owner_id'),
    );
    expect(owned.sort()).toEqual(['/api/v1/api-keys', '/api/v1/conversations']);
    let tried = 0;
    for (const collection of owned) {
      const marker = `alice-private-${randomUUID()}`;
      const createSchema = requestSchema(doc.paths[collection].post as Operation);
      const body = { ...minimalBody(createSchema, doc), ...pick(createSchema, doc, { title: marker, name: marker }) };
      const created = await t.req('post', collection, alice.token).send(body);
      expect(created.status).toBe(201);
      const id = created.body.id as string;
      for (const [path, methods] of Object.entries(doc.paths)) {
        if (!path.startsWith(`${collection}/{`)) continue;
        for (const [method, op] of Object.entries(methods) as [string, Operation][]) {
          const concrete = path.replace(/\{[^}]+\}/, id).replace(/\{[^}]+\}/g, () => randomUUID());
          const schema = requestSchema(op);
          const res = await t.req(method as 'get', concrete, bob.token).send(schema ? minimalBody(schema, doc) : undefined);
          tried++;
          check(
            (res.status === 404 || res.status === 403) && !res.text.includes(marker), // (the id is echoed: the caller sent it)
            `${method} ${path} on someone else’s object → ${res.status} ${res.text.slice(0, 120)}`,
            failures,
          );
        }
      }
      const list = await t.req('get', collection, bob.token);
      check(!list.text.includes(id) && !list.text.includes(marker), `${collection} list shows someone else’s object`, failures);
      // And nothing happened to it: Alice still sees it as she made it.
      const mine = await t.req('get', collection, alice.token);
      check(
        mine.text.includes(id) && mine.text.includes(marker) && !mine.text.includes('"revoked_at":"'),
        `${collection}: Alice’s object changed`,
        failures,
      );
    }
    process.stdout.write(`security: someone else’s object tried on ${tried} generated operations\n`);
    expect(tried).toBeGreaterThanOrEqual(5);
    expect(failures).toEqual([]);
  });

  it('keeps a canary provider key out of every response, log line, audit event, metric and the database', async () => {
    const bodies: string[] = [];
    const streamed = { gateway: 0, conversation: 0 };
    const keep = <T extends { text: string }>(res: T) => (bodies.push(res.text), res);
    const created = keep(
      await t
        .req('post', '/api/v1/providers')
        .send({ name: 'Canary', kind: 'openai_compatible', api_base: `${openai.url}/v1`, api_key: canary }),
    );
    const id = created.body.id;
    const model = keep(
      await t
        .req('post', '/api/v1/models')
        .send({ provider_id: id, display_name: 'canary-model', model_id: 'gpt-4o-mini', type: 'generation' }),
    ).body;
    keep(await t.req('get', '/api/v1/providers'));
    keep(await t.req('get', `/api/v1/providers/${id}`));
    keep(await t.req('post', `/api/v1/providers/${id}/test`).send({}));
    keep(await t.req('post', '/api/v1/providers/test').send({ kind: 'openai_compatible', api_base: `${openai.url}/v1`, api_key: canary }));
    keep(await t.req('post', `/api/v1/models/${model.id}/test`).send({}));
    // The gateway and conversations while the key works: whole and streamed (SSE) replies, an
    // upstream error (400, passed on) and a stream the upstream breaks after two chunks.
    for (const [name, upstream] of [
      ['canary-fails', 'gpt-4o-mini-fail-400'],
      ['canary-breaks', 'gpt-4o-mini-stream-error-2'],
    ]) {
      await t.req('post', '/api/v1/models').send({ provider_id: id, display_name: name, model_id: upstream, type: 'generation' });
    }
    const gatewayKey = (await t.req('post', '/api/v1/api-keys').send({ name: 'canary-gateway' })).body.secret as string;
    const gateway = (path: string, body: object) => t.http().post(path).set('authorization', `Bearer ${gatewayKey}`).send(body);
    const messages = [{ role: 'user', content: 'hello there' }];
    for (const name of ['canary-model', 'canary-fails', 'canary-breaks']) {
      keep(await gateway('/v1/chat/completions', { model: name, messages }));
      const sse = keep(await gateway('/v1/chat/completions', { model: name, messages, stream: true }));
      if (String(sse.headers['content-type']).startsWith('text/event-stream') && sse.text.includes('data:')) streamed.gateway++;
    }
    keep(await gateway('/v1/chat/completions', { model: 'canary-model', messages: 'not a list' }));
    for (const name of ['canary-model', 'canary-breaks']) {
      const modelId = (await t.req('get', `/api/v1/models?search=${name}`)).body.items[0].id as string;
      const chat = keep(await t.req('post', '/api/v1/conversations').send({ model_id: modelId })).body;
      keep(await t.req('post', `/api/v1/conversations/${chat.id}/messages`).send({ content: 'a whole reply' }));
      const sse = keep(
        await t.req('post', `/api/v1/conversations/${chat.id}/messages`).set('accept', 'text/event-stream').send({ content: 'a stream' }),
      );
      if (/event: (assistant_message|error)/.test(sse.text)) streamed.conversation++;
      keep(await t.req('get', `/api/v1/conversations/${chat.id}`));
    }
    // An upstream refusal before the first chunk is a plain JSON error, so two of the three gateway calls stream.
    expect(streamed).toEqual({ gateway: 2, conversation: 2 });
    keep(await t.req('patch', `/api/v1/providers/${id}`).send({ api_key: `${canary}-2` }));
    keep(await t.req('patch', `/api/v1/providers/${id}`).send({ api_base: 'http://10.9.9.9/v1' }));
    const conversation = keep(await t.req('post', '/api/v1/conversations').send({ model_id: model.id })).body;
    keep(await t.req('post', `/api/v1/conversations/${conversation.id}/messages`).send({ content: `my key is not ${canary.slice(0, 6)}` }));
    keep(await t.req('get', '/api/v1/export/litellm-config'));
    keep(await t.http().get('/metrics'));
    const audit = keep(await t.req('get', '/api/v1/audit-events/export?format=ndjson'));
    expect(audit.text.length).toBeGreaterThan(100);
    const dump = await dumpDatabase(t.databaseUrl);
    process.stdout.write(
      `security: canary searched in ${bodies.length} responses (${streamed.gateway + streamed.conversation} of them SSE streams), ${t.logs.length} log lines and a database dump (${dump.method})\n`,
    );
    const places = { responses: bodies.join('\n'), logs: t.logs.join('\n'), database: dump.text };
    for (const [where, text] of Object.entries(places)) {
      counts.cases++;
      expect({ where, hit: text.includes(canary) }).toEqual({ where, hit: false });
    }
  });
});

const resolve = (schema: Schema | undefined, doc: OpenApiDoc): Schema | undefined =>
  schema?.$ref ? doc.components.schemas[String(schema.$ref).split('/').pop()!] : schema;
const requestSchema = (op: Operation): Schema | undefined => op.requestBody?.content['application/json']?.schema;

/** The smallest body the schema accepts: its required members, each from its example or type. */
function minimalBody(schema: Schema | undefined, doc: OpenApiDoc): Record<string, unknown> {
  const resolved = resolve(schema, doc) ?? {};
  const value = (s: Schema): unknown => {
    const p = resolve(s, doc) ?? {};
    if (p.example !== undefined) return p.example;
    if (p.enum) return p.enum[0];
    if (p.format === 'uuid') return randomUUID();
    return { string: 'x', integer: 1, number: 1, boolean: false, array: [], object: {} }[p.type as string] ?? 'x';
  };
  return Object.fromEntries(((resolved.required ?? []) as string[]).map((name) => [name, value(resolved.properties[name])]));
}

/** The members of `values` that the schema has. */
function pick(schema: Schema | undefined, doc: OpenApiDoc, values: Record<string, unknown>): Record<string, unknown> {
  const properties = resolve(schema, doc)?.properties ?? {};
  return Object.fromEntries(Object.entries(values).filter(([name]) => name in properties));
}
