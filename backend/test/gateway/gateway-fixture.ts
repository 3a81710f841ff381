import OpenAI from 'openai';
import { AnthropicFake, COHERE_DEFAULT_KEY, CohereFake, GEMINI_DEFAULT_KEY, GeminiFake, OllamaFake, OpenAiFake } from '../fakes/index.js';
import { aProvider } from '../support/registry.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

// Provider keys shorter than 12 characters are stored without their last four; keep these longer.
const ANTHROPIC_KEY = 'sk-ant-fake-gateway';
const OPENAI_KEY = 'sk-upstream-gateway';

/** A fake upstream of each provider kind the gateway speaks to. */
export interface UpstreamFakes {
  openai: OpenAiFake;
  anthropic: AnthropicFake;
  ollama: OllamaFake;
  gemini: GeminiFake;
  cohere: CohereFake;
}

/** The app with one provider of each kind registered on its fake (no models yet), retries off. */
export interface GatewayFixture {
  t: TestApp;
  fakes: UpstreamFakes;
  providers: Record<keyof UpstreamFakes, Record<string, any>>;
  close(): Promise<void>;
}

/** `openAiKind`: how the OpenAI fake is registered (`openai`, or `openai_compatible` as a self-hosted server). */
export async function startGatewayFixture(openAiKind: 'openai' | 'openai_compatible' = 'openai'): Promise<GatewayFixture> {
  const fakes: UpstreamFakes = {
    openai: await new OpenAiFake({ apiKeys: [OPENAI_KEY] }).start(),
    anthropic: await new AnthropicFake({ apiKeys: [ANTHROPIC_KEY] }).start(),
    ollama: await new OllamaFake().start(),
    gemini: await new GeminiFake().start(),
    cohere: await new CohereFake().start(),
  };
  const t = await startTestApp({ env: { SEED_REGISTRY: 'false' } });
  await t.req('put', '/api/v1/settings/upstream.max_retries').send({ value: 0 });
  const providers = {
    openai: await aProvider(t, { kind: openAiKind, api_base: `${fakes.openai.url}/v1`, api_key: OPENAI_KEY }),
    anthropic: await aProvider(t, { kind: 'anthropic', api_base: fakes.anthropic.url, api_key: ANTHROPIC_KEY }),
    ollama: await aProvider(t, { kind: 'ollama', api_base: fakes.ollama.url }),
    gemini: await aProvider(t, { kind: 'gemini', api_base: `${fakes.gemini.url}/v1beta`, api_key: GEMINI_DEFAULT_KEY }),
    cohere: await aProvider(t, { kind: 'cohere', api_base: fakes.cohere.url, api_key: COHERE_DEFAULT_KEY }),
  };
  return {
    t,
    fakes,
    providers,
    async close() {
      await t.close();
      await Promise.all(Object.values(fakes).map((fake) => fake.close()));
    },
  };
}

/** The app listening on loopback, and the official SDK pointed at its /v1 with a new member's API key. */
export async function gatewayClient(t: TestApp, keyName: string): Promise<GatewayClient> {
  const member = await t.userWithRole('member');
  const key = (await t.req('post', '/api/v1/api-keys', member.token).send({ name: keyName })).body as { id: string; secret: string };
  await t.app.listen(0, '127.0.0.1');
  const base = (await t.app.getUrl()).replace('[::1]', '127.0.0.1');
  return { client: new OpenAI({ apiKey: key.secret, baseURL: `${base}/v1`, maxRetries: 0 }), key, base, member };
}

export interface GatewayClient {
  client: OpenAI;
  key: { id: string; secret: string };
  /** The server's root URL. */
  base: string;
  /** The key's owner. */
  member: { id: string; token: string };
}
