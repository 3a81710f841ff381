import OpenAI from 'openai';
import { fakeReply } from '../fakes/index.js';
import { aModel } from '../support/registry.js';
import type { TestApp } from '../support/test-app.js';
import { type GatewayFixture, startGatewayFixture } from './gateway-fixture.js';

/** An API key may be limited to some models: the gateway and conversations refuse the others (403). */
describe('API keys limited to models', () => {
  let fixture: GatewayFixture;
  let t: TestApp;
  let member: { id: string; token: string };
  let base: string;
  let gpt: Record<string, any>;
  let embed: Record<string, any>;
  let other: Record<string, any>;
  let limited: { id: string; secret: string; models: string[] | null };
  let client: OpenAI;

  const createKey = (body: Record<string, unknown>) => t.req('post', '/api/v1/api-keys', member.token).send({ name: 'limited', ...body });
  const refusal = (request: Promise<unknown>) =>
    request.then(
      () => null,
      (e: { status: number; param: string; code: string; type: string; message: string }) => ({
        status: e.status,
        param: e.param,
        code: e.code,
        type: e.type,
        message: e.message,
      }),
    );

  beforeAll(async () => {
    fixture = await startGatewayFixture('openai');
    t = fixture.t;
    gpt = await aModel(t, fixture.providers.openai.id, { display_name: 'k-gpt', model_id: 'gpt-4o-mini' });
    embed = await aModel(t, fixture.providers.openai.id, {
      display_name: 'k-embed',
      model_id: 'text-embedding-3-small',
      type: 'embedding',
      params: { dimensions: 1536 },
    });
    other = await aModel(t, fixture.providers.openai.id, { display_name: 'k-other', model_id: 'gpt-4o' });
    member = await t.userWithRole('member');
    const created = await createKey({ models: [gpt.id, embed.id, gpt.id] });
    expect(created.status).toBe(201);
    limited = created.body;
    await t.app.listen(0, '127.0.0.1');
    base = (await t.app.getUrl()).replace('[::1]', '127.0.0.1');
    client = new OpenAI({ apiKey: limited.secret, baseURL: `${base}/v1`, maxRetries: 0 });
  });
  afterAll(() => fixture.close());

  it('stores the models once each, lists and audits them; refuses an empty list and ids that are not models', async () => {
    expect(limited.models).toEqual([gpt.id, embed.id]);
    const listed = (await t.req('get', '/api/v1/api-keys', member.token)).body as { id: string; models: string[] | null }[];
    expect(listed.find((k) => k.id === limited.id)!.models).toEqual([gpt.id, embed.id]);
    const events = await t.req('get', `/api/v1/audit-events?entity_type=api_key&entity_id=${limited.id}`);
    expect(events.body.items[0].changes.models).toEqual({ after: [gpt.id, embed.id] });

    const cases: [unknown, string][] = [
      [[], 'models'],
      [['not-a-uuid'], 'models'],
      [[gpt.id, '00000000-0000-4000-8000-000000000000'], 'models[1]'],
      ['k-gpt', 'models'],
    ];
    for (const [models, field] of cases) {
      const res = await createKey({ models });
      expect({ models, status: res.status, fields: res.body.errors?.map((e: { field: string }) => e.field) }).toEqual({
        models,
        status: 422,
        fields: [field],
      });
    }
    const unlimited = await createKey({});
    expect(unlimited.body.models).toBeNull();
  });

  it('lets the key call its models through /v1 and refuses the others with 403, listing only its own', async () => {
    const answer = await client.chat.completions.create({ model: 'k-gpt', messages: [{ role: 'user', content: 'hi' }] });
    expect(answer.choices[0]!.message.content).toBe(fakeReply('hi'));
    expect((await client.embeddings.create({ model: 'k-embed', input: 'hi' })).data).toHaveLength(1);
    const refused = await refusal(client.chat.completions.create({ model: 'k-other', messages: [{ role: 'user', content: 'hi' }] }));
    expect(refused).toMatchObject({ status: 403, param: 'model', code: 'model_not_allowed', type: 'permission_error' });
    expect(refused!.message).toContain('This API key may not call k-other');
    expect((await client.models.list()).data.map((m) => m.id).sort()).toEqual(['k-embed', 'k-gpt']);
    expect(await refusal(client.models.retrieve('k-other'))).toMatchObject({ status: 404 });

    // A key without a list, and the signed-in user, reach every model.
    const open = (await createKey({})).body.secret as string;
    const unlimited = new OpenAI({ apiKey: open, baseURL: `${base}/v1`, maxRetries: 0 });
    expect((await unlimited.chat.completions.create({ model: 'k-other', messages: [{ role: 'user', content: 'hi' }] })).model).toBe(
      'k-other',
    );
    expect((await unlimited.models.list()).data.map((m) => m.id)).toEqual(expect.arrayContaining(['k-embed', 'k-gpt', 'k-other']));
  });

  it('refuses conversations on other models: creating one, and sending to one its owner made, whole or streamed', async () => {
    const asKey = (method: 'post' | 'get', path: string) => t.req(method, path, limited.secret);
    const create = await asKey('post', '/api/v1/conversations').send({ model_id: other.id });
    expect(create.status).toBe(403);
    expect(create.body).toMatchObject({ code: 'model_not_allowed', errors: [{ field: 'model_id' }] });
    const allowed = await asKey('post', '/api/v1/conversations').send({ model_id: gpt.id });
    expect(allowed.status).toBe(201);
    expect((await asKey('post', `/api/v1/conversations/${allowed.body.id}/messages`).send({ content: 'hi' })).status).toBe(201);

    // The owner, signed in, may use any model; the key still may not send there.
    const owners = await t.req('post', '/api/v1/conversations', member.token).send({ model_id: other.id });
    expect(owners.status).toBe(201);
    const path = `/api/v1/conversations/${owners.body.id}/messages`;
    expect((await asKey('post', path).send({ content: 'hi' })).status).toBe(403);
    const streamed = await asKey('post', path).set('accept', 'text/event-stream').send({ content: 'hi' });
    expect(streamed.status).toBe(403);
    expect((await t.req('get', `/api/v1/conversations/${owners.body.id}`, member.token)).body.messages).toEqual([]);
  });
});
