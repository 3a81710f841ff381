import type OpenAI from 'openai';
import { fakeReply } from '../fakes/index.js';
import { aModel } from '../support/registry.js';
import { gatewayClient, type GatewayFixture, startGatewayFixture } from './gateway-fixture.js';

type Body = Record<string, any>;

/** JSON mode, structured output, the seed and the penalties reach every kind in its own terms, or are refused by name. */
describe('Gateway: JSON replies, seed and penalties for every provider kind', () => {
  let fixture: GatewayFixture;
  let client: OpenAI;

  const schema = {
    type: 'object',
    properties: { city: { type: 'string' }, population: { type: 'integer' }, coastal: { type: 'boolean' } },
    required: ['city', 'population', 'coastal'],
    additionalProperties: false,
  };
  const structured = { type: 'json_schema' as const, json_schema: { name: 'place', schema, strict: true } };
  const place = { city: 'Lisbon', population: 1, coastal: true };
  const ask = [{ role: 'user' as const, content: 'Lisbon' }];

  /** The last body the model's fake received. */
  const upstreamBody = (model: string): Body => {
    const fake = {
      'json-gpt': fixture.fakes.openai,
      'json-claude': fixture.fakes.anthropic,
      'json-llama': fixture.fakes.ollama,
      'json-gemini': fixture.fakes.gemini,
      'json-gemini-25': fixture.fakes.gemini,
      'json-command': fixture.fakes.cohere,
    }[model]!;
    return fake.requests.at(-1)!.body as Body;
  };

  const streamedText = async (stream: AsyncIterable<OpenAI.ChatCompletionChunk>) => {
    let text = '';
    let finish: string | null = null;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? '';
      finish = chunk.choices[0]?.finish_reason ?? finish;
    }
    return { text, finish };
  };

  const refusal = (request: Promise<unknown>) =>
    request.then(
      () => null,
      (e: { status: number; param: string; message: string }) => ({ status: e.status, param: e.param, message: e.message }),
    );

  beforeAll(async () => {
    fixture = await startGatewayFixture('openai');
    const { t, providers } = fixture;
    await aModel(t, providers.openai.id, { display_name: 'json-gpt', model_id: 'gpt-4o-mini' });
    await aModel(t, providers.anthropic.id, {
      display_name: 'json-claude',
      model_id: 'claude-haiku-4-5',
      params: { max_output_tokens: 1024 },
    });
    await aModel(t, providers.ollama.id, { display_name: 'json-llama', model_id: 'llama3.2' });
    await aModel(t, providers.gemini.id, { display_name: 'json-gemini', model_id: 'gemini-2.0-flash' });
    await aModel(t, providers.gemini.id, { display_name: 'json-gemini-25', model_id: 'gemini-2.5-flash' });
    await aModel(t, providers.cohere.id, { display_name: 'json-command', model_id: 'command-r-08-2024' });
    ({ client } = await gatewayClient(t, 'json test'));
  });
  afterAll(() => fixture.close());

  it('answers structured output from every kind, whole and streamed, asking each provider in its own terms', async () => {
    const asked: Record<string, (body: Body) => void> = {
      'json-gpt': (body) => expect(body['response_format']).toEqual(structured),
      'json-claude': (body) =>
        expect(body['output_config']).toEqual({
          format: { type: 'json_schema', schema: expect.objectContaining({ properties: schema.properties }) },
        }),
      'json-gemini': (body) =>
        expect(body['generationConfig']).toMatchObject({
          responseMimeType: 'application/json',
          responseJsonSchema: expect.objectContaining({ properties: schema.properties }),
        }),
      'json-command': (body) =>
        expect(body['response_format']).toEqual({
          type: 'json_object',
          json_schema: expect.objectContaining({ properties: schema.properties }),
        }),
      'json-llama': (body) => expect(body['format']).toEqual(expect.objectContaining({ properties: schema.properties })),
    };
    for (const [model, check] of Object.entries(asked)) {
      const whole = await client.chat.completions.create({ model, messages: ask, response_format: structured });
      expect({ model, reply: JSON.parse(whole.choices[0]!.message.content!) }).toEqual({ model, reply: place });
      expect(whole.choices[0]!.finish_reason).toBe('stop');
      check(upstreamBody(model));
      const streamed = await streamedText(
        await client.chat.completions.create({ model, messages: ask, response_format: structured, stream: true }),
      );
      expect({ model, reply: JSON.parse(streamed.text), finish: streamed.finish }).toEqual({ model, reply: place, finish: 'stop' });
      check(upstreamBody(model));
    }
  });

  it('hands back a JSON reply that max_tokens cut short as it came, with finish_reason "length", not as a failure', async () => {
    for (const model of ['json-claude', 'json-gemini', 'json-command', 'json-llama']) {
      const cut = await client.chat.completions.create({ model, messages: ask, response_format: structured, max_tokens: 3 });
      expect({ model, finish: cut.choices[0]!.finish_reason, text: cut.choices[0]!.message.content }).toEqual({
        model,
        finish: 'length',
        text: JSON.stringify(place).slice(0, 12),
      });
    }
  });

  it('answers JSON mode without a schema where the provider has one, and refuses it by name for Anthropic', async () => {
    const asked: Record<string, (body: Body) => void> = {
      'json-gemini': (body) => {
        expect(body['generationConfig']).toMatchObject({ responseMimeType: 'application/json' });
        expect(body['generationConfig']['responseJsonSchema']).toBeUndefined();
      },
      'json-command': (body) => expect(body['response_format']).toEqual({ type: 'json_object' }),
      'json-llama': (body) => expect(body['format']).toBe('json'),
    };
    for (const [model, check] of Object.entries(asked)) {
      const whole = await client.chat.completions.create({ model, messages: ask, response_format: { type: 'json_object' } });
      expect({ model, reply: JSON.parse(whole.choices[0]!.message.content!) }).toEqual({ model, reply: { answer: fakeReply('Lisbon') } });
      check(upstreamBody(model));
    }
    const before = fixture.fakes.anthropic.requests.length;
    const refused = await refusal(
      client.chat.completions.create({ model: 'json-claude', messages: ask, response_format: { type: 'json_object' } }),
    );
    expect(refused).toMatchObject({ status: 422, param: 'response_format' });
    expect(refused!.message).toContain(
      'response_format json_object (JSON mode without a schema): sent only to providers other than Anthropic',
    );
    expect(fixture.fakes.anthropic.requests).toHaveLength(before);
  });

  it('sends the seed and the penalties where the provider takes them, and refuses them by name where it would drop them', async () => {
    const sampling = { seed: 42, frequency_penalty: 0.5, presence_penalty: 0.25 };
    const asked: Record<string, (body: Body) => void> = {
      'json-gemini': (body) => expect(body['generationConfig']).toMatchObject({ seed: 42, frequencyPenalty: 0.5, presencePenalty: 0.25 }),
      'json-command': (body) => expect(body).toMatchObject({ seed: 42, frequency_penalty: 0.5, presence_penalty: 0.25 }),
      'json-gpt': (body) => expect(body).toMatchObject(sampling),
    };
    for (const [model, check] of Object.entries(asked)) {
      const whole = await client.chat.completions.create({ model, messages: ask, ...sampling });
      expect(whole.choices[0]!.message.content).toBe(fakeReply('Lisbon'));
      check(upstreamBody(model));
    }

    const llama = await refusal(client.chat.completions.create({ model: 'json-llama', messages: ask, ...sampling }));
    expect(llama).toMatchObject({ status: 422, param: 'frequency_penalty' });
    expect(llama!.message).toContain('presence_penalty: sent only to providers other than Ollama');
    await client.chat.completions.create({ model: 'json-llama', messages: ask, seed: 42 });
    expect(upstreamBody('json-llama')['options']).toMatchObject({ seed: 42 });

    const claude = await refusal(client.chat.completions.create({ model: 'json-claude', messages: ask, ...sampling }));
    expect(claude).toMatchObject({ status: 422, param: 'seed' });
    for (const field of ['seed', 'frequency_penalty', 'presence_penalty']) {
      expect(claude!.message).toContain(`${field}: sent only to providers other than Anthropic; json-claude is served by Anthropic`);
    }
    // Gemini 2.5 on the Developer API takes a seed but no penalties.
    const gemini25 = await refusal(client.chat.completions.create({ model: 'json-gemini-25', messages: ask, ...sampling }));
    expect(gemini25).toMatchObject({ status: 422, param: 'frequency_penalty' });
    expect(gemini25!.message).toContain('presence_penalty: sent only to Gemini models other than 2.5');
    const seeded = await client.chat.completions.create({ model: 'json-gemini-25', messages: ask, seed: 42 });
    expect(seeded.choices[0]!.message.content).toBe(fakeReply('Lisbon'));
    expect(upstreamBody('json-gemini-25')['generationConfig']).toMatchObject({ seed: 42 });
  });
});
