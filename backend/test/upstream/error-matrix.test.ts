import type { ErrorDetails, ErrorReply } from '../fakes/fake-server.js';
import {
  AnthropicFake,
  AzureOpenAiFake,
  CohereFake,
  GeminiFake,
  OllamaFake,
  OpenAiFake,
  startFakes,
  type FakeBehaviour,
  type Fakes,
  type FakeServer,
} from '../fakes/index.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import {
  ALL_KINDS,
  client,
  drain,
  failureOf,
  KINDS,
  providerEntity,
  providerWithModel,
  setSetting,
  startKeylessFake,
  type UpstreamKind,
} from './support.js';

/**
 * Every error class, for every provider kind, against its fake: status answers, a broken body,
 * silence, a stalled or dropped stream, and each provider's own in-stream error event.
 * Retries are off (upstream.max_retries 0) and timeouts short (config.timeout_ms 1000).
 */

const messages = [{ role: 'user' as const, content: 'Hello there' }];
const TIMEOUT_MS = 1000;

/** Google sends its wait only as RetryInfo in the body, never as a Retry-After header. */
class BodyOnlyRetryGeminiFake extends GeminiFake {
  retryDelaySeconds = 5;

  protected override errorReply(status: number, details: ErrorDetails): ErrorReply {
    return super.errorReply(status, status === 429 ? { ...details, retryAfter: this.retryDelaySeconds } : details);
  }
}

/**
 * A fake whose in-stream "error" is a clean end of the response: the stream stops after K chunks
 * without its final frame and without an error, as when a proxy or a crashed worker closes it.
 */
const endingEarly = <F extends FakeServer>(fake: F): F => Object.defineProperty(fake, 'streamErrorFrame', { value: () => '' });

/** What an in-stream error looks like in each provider's format, and how it must come out. */
interface InStreamCase {
  /** The status the fake's in-stream error stands for (it picks the error's type and wording). */
  status: number;
  errorClass: string;
  upstreamStatus: number | null;
  message: RegExp;
}
const failed = (status: number): InStreamCase => ({
  status,
  errorClass: 'upstream_error',
  upstreamStatus: status,
  message: new RegExp(`failed \\(${status}\\): the provider is having trouble`),
});
const limited: InStreamCase = { status: 429, errorClass: 'rate_limited', upstreamStatus: 429, message: /rate limiting this key \(429\)/ };
// data: {"error":{"message","type":"server_error"|"requests","code":null|"rate_limit_exceeded"}}, the status
// inferred from type and code as @ai-sdk/openai does (so an in-stream 503, also "server_error", reads as 500)
const openAiStyle = [failed(500), limited];
const IN_STREAM: Record<UpstreamKind, InStreamCase[]> = {
  openai: openAiStyle,
  azure: openAiStyle,
  litellm: openAiStyle,
  openai_compatible: openAiStyle,
  // event: error / data: {"type":"error","error":{"type":"overloaded_error"|"rate_limit_error"|"api_error",…}}
  anthropic: [failed(529), limited, failed(500)],
  // data: {"error":{"code":503,"status":"UNAVAILABLE",…}}
  gemini: [failed(503), limited],
  // {"error":"…"} as an NDJSON line: Ollama gives no status in-stream
  ollama: [{ status: 500, errorClass: 'upstream_error', upstreamStatus: null, message: /reported an error mid-stream: \S/ }],
  // Cohere has no in-stream error event: the fake (like a proxy giving up) cuts the connection instead
  cohere: [{ status: 500, errorClass: 'connection_error', upstreamStatus: null, message: /closed the connection/ }],
};

describe('upstream error matrix: every kind against its fake', () => {
  let t: TestApp;
  let fakes: Fakes;
  let keyless: OpenAiFake;

  beforeAll(async () => {
    [t, fakes, keyless] = await Promise.all([startTestApp({ env: { SEED_REGISTRY: 'false' } }), startFakes(), startKeylessFake()]);
    await setSetting(t, 'upstream.max_retries', 0);
  });
  afterEach(() => {
    fakes.reset();
    keyless.reset();
  });
  afterAll(async () => {
    await Promise.all([t.close(), fakes.close(), keyless.close()]);
  });

  /** A provider of the kind on its fake, with one generation model (by default the kind's catalogue one). */
  const modelOf = async (kind: UpstreamKind, modelId = KINDS[kind].generation) =>
    (await providerWithModel(t, { ...KINDS[kind].provider(fakes, keyless), config: { timeout_ms: TIMEOUT_MS } }, { model_id: modelId }))
      .model;
  const fakeOf = (kind: UpstreamKind) => KINDS[kind].fake(fakes, keyless);
  const chatFailure = async (kind: UpstreamKind, behaviour?: FakeBehaviour, modelId?: string) => {
    const model = await modelOf(kind, modelId);
    if (behaviour) fakeOf(kind).enqueue(behaviour);
    return failureOf(client(t).chat(model, { messages }));
  };
  const streamed = async (kind: UpstreamKind, modelId: string) => {
    const { events, error } = await drain(client(t).chatStream(await modelOf(kind, modelId), { messages }));
    return { deltas: events.filter((e) => e.type === 'delta').length, done: events.some((e) => e.type === 'done'), error };
  };

  describe.each(ALL_KINDS)('%s', (kind) => {
    const word = kind === 'azure' ? 'deployment' : 'model';
    const generation = KINDS[kind].generation;

    it.each([
      [403, 'permission_error', new RegExp(`refused access \\(403\\): the key may not use ${word} `)],
      [429, 'rate_limited', /is rate limiting this key \(429\): retry after 7 s/],
      [500, 'upstream_error', /failed \(500\): the provider is having trouble; retry later/],
      [503, 'upstream_error', /failed \(503\): the provider is having trouble; retry later/],
    ])('an answer %i is %s', async (status, errorClass, message) => {
      const error = await chatFailure(kind, { status, retryAfter: status === 429 ? 7 : undefined });
      expect(error).toMatchObject({ name: 'UpstreamError', errorClass, status });
      expect(error.message).toMatch(message);
      if (status === 429) expect(error).toMatchObject({ retryAfterMs: 7000, retryable: true });
      if (status >= 500) expect(error).toMatchObject({ retryable: true, countsAsOutage: true });
      expect(fakeOf(kind).requests).toHaveLength(1);
    });

    it('an unknown model is not_found and names it', async () => {
      const error = await chatFailure(kind, undefined, 'no-such-model');
      expect(error).toMatchObject({ errorClass: 'not_found', status: 404, retryable: false });
      expect(error.message).toMatch(new RegExp(`does not know the ${word} no-such-model \\(404\\): check the ${word} name`));
    });

    it('a broken JSON body is invalid_response', async () => {
      const error = await chatFailure(kind, { malformed: 'body' });
      expect(error).toMatchObject({ errorClass: 'invalid_response' });
      expect(error.message).toMatch(/did not answer with a valid API response/);
    });

    it('a failure before the first streamed byte is classified like a whole answer (503, 429)', async () => {
      const model = await modelOf(kind);
      fakeOf(kind).enqueue({ status: 503 });
      const failed = await drain(client(t).chatStream(model, { messages }));
      expect(failed.events).toHaveLength(0);
      expect(failed.error).toMatchObject({ errorClass: 'upstream_error', status: 503 });
      fakeOf(kind).enqueue({ status: 429, retryAfter: 3 });
      const limited = await drain(client(t).chatStream(model, { messages }));
      expect(limited.error).toMatchObject({ errorClass: 'rate_limited', status: 429, retryAfterMs: 3000 });
    });

    it('silence is a timeout_error after timeout_ms: a whole call, a stream that never opens, and one that stalls', async () => {
      const started = Date.now();
      const [whole, unopened, stalled] = await Promise.all([
        chatFailure(kind, undefined, `${generation}-hang`),
        streamed(kind, `${generation}-hang`),
        streamed(kind, `${generation}-stall-5`),
      ]);
      const elapsed = Date.now() - started;
      for (const error of [whole, unopened.error, stalled.error]) {
        expect(error).toMatchObject({ errorClass: 'timeout_error', kind: 'upstream_timeout' });
        expect(error.message).toMatch(/did not answer within 1 s: check the server, or raise config.timeout_ms/);
      }
      expect(stalled.deltas).toBeGreaterThan(0);
      expect(elapsed).toBeGreaterThanOrEqual(TIMEOUT_MS - 10);
      expect(elapsed).toBeLessThan(TIMEOUT_MS * 4);
    });

    it('a stream dropped after its first chunks is a connection_error; a broken chunk is invalid_response', async () => {
      const dropped = await streamed(kind, `${generation}-drop-4`);
      expect(dropped.deltas).toBeGreaterThan(0);
      expect(dropped.done).toBe(false);
      expect(dropped.error).toMatchObject({ errorClass: 'connection_error' });
      expect(dropped.error.message).toMatch(/closed the connection/);
      const broken = await streamed(kind, `${generation}-malformed-chunk`);
      expect(broken.done).toBe(false);
      expect(broken.error).toMatchObject({ errorClass: 'invalid_response' });
    });

    it.each(IN_STREAM[kind])('an in-stream error event ($status) after the first chunks is $errorClass', async (c) => {
      const model = await modelOf(kind);
      fakeOf(kind).enqueue({ streamErrorAfterChunks: 4, status: c.status });
      const { events, error } = await drain(client(t).chatStream(model, { messages }));
      // The cut connection may lose the last chunks written before it: only a real error event keeps them.
      if (kind !== 'cohere') expect(events.filter((e) => e.type === 'delta').length).toBeGreaterThan(0);
      expect(events.some((e) => e.type === 'done')).toBe(false);
      expect(error).toMatchObject({ name: 'UpstreamError', errorClass: c.errorClass, status: c.upstreamStatus });
      expect(error.message).toMatch(c.message);
      expect(fakeOf(kind).requests).toHaveLength(1);
    });

    it('listing models classifies 403, 429 and 5xx answers the same way', async () => {
      const provider = await providerEntity(
        t,
        (await providerWithModel(t, KINDS[kind].provider(fakes, keyless), { model_id: generation })).provider.id,
      );
      for (const [status, errorClass] of [
        [403, 'permission_error'],
        [429, 'rate_limited'],
        [500, 'upstream_error'],
        [503, 'upstream_error'],
      ] as const) {
        fakeOf(kind).enqueue({ status, retryAfter: status === 429 ? 2 : undefined });
        const error = await failureOf(client(t).listModels(provider));
        expect(error).toMatchObject({ errorClass, status });
        if (status === 429) expect(error.retryAfterMs).toBe(2000);
      }
      fakeOf(kind).enqueue({ malformed: 'body' });
      expect(await failureOf(client(t).listModels(provider))).toMatchObject({ errorClass: 'invalid_response' });
    });

    if (KINDS[kind].embedding) {
      it('embedding calls classify 429 and 5xx answers', async () => {
        const { model } = await providerWithModel(t, KINDS[kind].provider(fakes, keyless), {
          model_id: KINDS[kind].embedding!.id,
          type: 'embedding',
          params: { dimensions: KINDS[kind].embedding!.dimensions },
        });
        fakeOf(kind).enqueue({ status: 429, retryAfter: 4 });
        expect(await failureOf(client(t).embed(model, ['a', 'b']))).toMatchObject({
          errorClass: 'rate_limited',
          status: 429,
          retryAfterMs: 4000,
        });
        fakeOf(kind).enqueue({ status: 500 });
        expect(await failureOf(client(t).embed(model, ['a']))).toMatchObject({ errorClass: 'upstream_error', status: 500 });
      });
    }
  });

  describe('a stream that ends cleanly before its final frame is a connection_error, never a finished reply', () => {
    const early: Record<UpstreamKind, () => FakeServer> = {
      openai: () => endingEarly(new OpenAiFake()),
      azure: () => endingEarly(new AzureOpenAiFake()),
      anthropic: () => endingEarly(new AnthropicFake()),
      gemini: () => endingEarly(new GeminiFake()),
      cohere: () => endingEarly(new CohereFake()),
      ollama: () => endingEarly(new OllamaFake()),
      litellm: () => endingEarly(new OpenAiFake({ name: 'litellm', basePaths: ['/v1', ''], apiKeys: [fakes.keys.litellm] })),
      openai_compatible: () => endingEarly(new OpenAiFake({ name: 'vllm', apiKeys: [] })),
    };

    it.each(ALL_KINDS)('%s', async (kind) => {
      const fake = await early[kind]().start();
      try {
        const body = KINDS[kind].provider(fakes, keyless);
        const apiBase = String(body['api_base']).replace(fakeOf(kind).url, fake.url);
        const { model } = await providerWithModel(t, { ...body, api_base: apiBase }, { model_id: KINDS[kind].generation });
        fake.enqueue({ streamErrorAfterChunks: 5 });
        const { events, error } = await drain(client(t).chatStream(model, { messages }));
        expect(fake.requests).toHaveLength(1);
        expect(events.filter((e) => e.type === 'delta').length).toBeGreaterThan(0);
        expect(events.some((e) => e.type === 'done')).toBe(false);
        expect(error).toMatchObject({ name: 'UpstreamError', errorClass: 'connection_error', status: null });
        expect(error.message).toMatch(/ended the stream before the reply was complete/);
      } finally {
        await fake.close();
      }
    });
  });

  it('anthropic: 529 overloaded is an upstream_error that counts as an outage and may be retried', async () => {
    const error = await chatFailure('anthropic', { status: 529 });
    expect(error).toMatchObject({ errorClass: 'upstream_error', status: 529, retryable: true, countsAsOutage: true });
    expect(error.message).toMatch(/failed \(529\): the provider is having trouble; retry later/);
  });

  it('gemini: a 429 whose wait is only in the body (RetryInfo) is rate_limited with that wait', async () => {
    const gemini = await new BodyOnlyRetryGeminiFake().start();
    try {
      const { model } = await providerWithModel(
        t,
        { ...KINDS.gemini.provider(fakes, keyless), api_base: `${gemini.url}/v1beta` },
        { model_id: KINDS.gemini.generation },
      );
      gemini.enqueue({ status: 429, retryAfter: null });
      const error = await failureOf(client(t).chat(model, { messages }));
      expect(error).toMatchObject({ errorClass: 'rate_limited', status: 429, retryAfterMs: 5000 });
      expect(error.message).toMatch(/retry after 5 s/);
      gemini.enqueue({ status: 429, retryAfter: null });
      const streamError = (await drain(client(t).chatStream(model, { messages }))).error;
      expect(streamError).toMatchObject({ errorClass: 'rate_limited', retryAfterMs: 5000 });
    } finally {
      await gemini.close();
    }
  });
});
