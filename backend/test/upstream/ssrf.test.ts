import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { checkUrl, refusalFor, type DestinationPolicy } from '../../src/upstream/destination-policy.js';
import { DestinationGuard } from '../../src/upstream/destination-guard.js';
import { GuardedFetch, type Resolver } from '../../src/upstream/guarded-fetch.js';
import { OpenAiFake } from '../fakes/index.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { client, failureOf, providerWithModel, setSetting } from './support.js';

const open: DestinationPolicy = { allowLoopback: true, allowedPrivateHosts: [] };
const refusal = (url: string, policy = open) => {
  try {
    checkUrl(url, policy);
    return null;
  } catch (error) {
    return (error as Error).message;
  }
};

/** Test DNS: `*.localtest` names resolve to what the table says, nothing else resolves. */
const resolver =
  (table: Record<string, string>): Resolver =>
  async (hostname) => {
    const address = table[hostname];
    if (!address) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
    return [{ address, family: address.includes(':') ? 6 : 4 }];
  };

const codeOf = (error: unknown): string | undefined => {
  for (let e = error as { code?: string; cause?: unknown } | undefined; e; e = e.cause as typeof e) if (e.code) return e.code;
  return undefined;
};

describe('SSRF guard', () => {
  describe('URLs and addresses (no connection is made)', () => {
    it.each([
      ['http://169.254.169.254/latest/meta-data', /cloud metadata address, always refused/],
      ['http://[fd00:ec2::254]/', /cloud metadata address/],
      ['http://100.100.100.200/', /cloud metadata address/],
      ['http://metadata.google.internal/computeMetadata/v1', /metadata service and is always refused/],
      ['http://169.254.1.1/', /link-local address, always refused/],
      ['http://[fe80::1]/', /link-local/],
      ['http://0.0.0.0:11434/', /unspecified address/],
      ['http://127.1/', /127\.1 is an unusual spelling of 127\.0\.0\.1/],
      ['http://2130706433/', /unusual spelling of 127\.0\.0\.1/],
      ['http://0x7f000001/', /unusual spelling of 127\.0\.0\.1/],
      ['http://0177.0.0.1/', /unusual spelling of 127\.0\.0\.1/],
      ['http://[::ffff:127.0.0.1]/', /IPv4 address in IPv6 form: write 127\.0\.0\.1 itself/],
      ['http://[::ffff:a9fe:a9fe]/', /IPv4 address in IPv6 form/],
      ['http://[64:ff9b::a9fe:a9fe]/', /embeds 169\.254\.169\.254, a cloud metadata address/],
      ['http://[2002:a9fe:a9fe::1]/', /embeds 169\.254\.169\.254/],
      ['https://api.openai.com@127.0.0.1/v1', /user:password@ are refused/],
      ['file:///etc/passwd', /only http and https/],
      ['gopher://127.0.0.1:6379/', /only http and https/],
      ['http://10.0.0.5/v1', /private address: add the host or its range to the setting security.allowed_private_hosts/],
      ['http://192.168.1.20/', /private address/],
      ['http://172.20.0.1/', /private address/],
      ['http://100.64.0.1/', /private address/],
      ['http://[fd12:3456::1]/', /private address/],
    ])('refuses %s', (url, message) => {
      expect(refusal(url)).toMatch(message);
    });

    it.each(['https://api.openai.com/v1', 'http://127.0.0.1:11434', 'http://localhost:4000', 'http://[::1]:8080/v1', 'https://8.8.8.8/'])(
      'lets %s through',
      (url) => expect(refusal(url)).toBeNull(),
    );

    it('allows loopback only while security.allow_loopback_endpoints is on', () => {
      expect(refusal('http://127.0.0.1:11434', { allowLoopback: false, allowedPrivateHosts: [] })).toMatch(/loopback address/);
      expect(refusalFor('::1', 'localhost', { allowLoopback: false, allowedPrivateHosts: [] })).toMatch(/localhost \(::1\) is a loopback/);
    });

    it('allows private hosts listed by CIDR, address or name, but never metadata', () => {
      const policy = {
        allowLoopback: false,
        allowedPrivateHosts: ['10.1.0.0/16', '192.168.7.7', '*.corp.example', 'vllm.internal', '169.254.0.0/16'],
      };
      expect(refusalFor('10.1.2.3', 'x', policy)).toBeNull();
      expect(refusalFor('10.2.2.3', 'x', policy)).toMatch(/private/);
      expect(refusalFor('192.168.7.7', '192.168.7.7', policy)).toBeNull();
      expect(refusalFor('172.16.0.9', 'llm.corp.example', policy)).toBeNull();
      expect(refusalFor('172.16.0.9', 'corp.example.evil.test', policy)).toMatch(/private/);
      expect(refusalFor('172.16.0.9', 'vllm.internal', policy)).toBeNull();
      expect(refusalFor('169.254.169.254', 'vllm.internal', policy)).toMatch(/metadata/);
      expect(refusalFor('::ffff:10.1.2.3', 'x', policy)).toBeNull();
      expect(refusalFor('::ffff:169.254.169.254', 'x', policy)).toMatch(/embeds 169\.254\.169\.254/);
    });
  });

  describe('at connect time and on redirects', () => {
    let fake: OpenAiFake;
    let redirector: Server;
    let redirectTo = '';
    beforeAll(async () => {
      fake = await new OpenAiFake({ apiKeys: [] }).start();
      // A hostile endpoint: it answers every request with a redirect to wherever the test says.
      redirector = createServer((_req, res) => res.writeHead(302, { location: redirectTo }).end());
      await new Promise<void>((resolve) => redirector.listen(0, '127.0.0.1', resolve));
    });
    afterAll(async () => {
      await fake.close();
      await new Promise((resolve) => redirector.close(resolve));
    });
    const redirectorUrl = () => `http://127.0.0.1:${(redirector.address() as AddressInfo).port}`;
    const port = () => new URL(fake.url).port;

    it('checks the address a host name resolves to when connecting', async () => {
      const guarded = new GuardedFetch(open, resolver({ 'metadata.localtest': '169.254.169.254', 'fake.localtest': '127.0.0.1' }));
      try {
        const ok = await guarded.fetch(`http://fake.localtest:${port()}/v1/models`);
        expect(ok.status).toBe(200);
        const error = await failureOf(guarded.fetch(`http://metadata.localtest:${port()}/v1/models`));
        expect(codeOf(error)).toBe('SB_BLOCKED_DESTINATION');
        expect(JSON.stringify(String(error.cause ?? error))).toMatch(
          /metadata\.localtest \(169\.254\.169\.254\) is a cloud metadata address/,
        );
      } finally {
        await guarded.close();
      }
    });

    it('does not follow a redirect to a refused target', async () => {
      const guarded = new GuardedFetch(open);
      try {
        redirectTo = 'http://169.254.169.254/latest/meta-data/iam/security-credentials/';
        const error = await failureOf(guarded.fetch(`${redirectorUrl()}/v1/models`));
        expect(error.message).toMatch(/redirected to 169\.254\.169\.254, which is refused/);
        expect(codeOf(error)).toBe('SB_BLOCKED_DESTINATION');
      } finally {
        await guarded.close();
      }
    });

    it('follows an allowed redirect, without the credentials when the origin changes', async () => {
      const guarded = new GuardedFetch(open);
      try {
        redirectTo = `${fake.url}/v1/models`;
        const res = await guarded.fetch(`${redirectorUrl()}/v1/models`, { headers: { authorization: 'Bearer sk-must-not-travel' } });
        expect(res.status).toBe(200);
        expect(fake.requests.at(-1)?.headers['authorization']).toBeUndefined();
      } finally {
        await guarded.close();
      }
    });
  });

  describe('through UpstreamClient', () => {
    let t: TestApp;
    let fake: OpenAiFake;
    beforeAll(async () => {
      [t, fake] = await Promise.all([startTestApp({ env: { SEED_REGISTRY: 'false' } }), new OpenAiFake().start()]);
      t.app.get(DestinationGuard).useResolver(resolver({ 'metadata.localtest': '169.254.169.254', localhost: '127.0.0.1' }));
    });
    afterAll(async () => {
      await Promise.all([t.close(), fake.close()]);
    });
    const body = (apiBase: string) => ({ kind: 'openai', api_base: apiBase, api_key: 'sk-fake-openai' });
    const messages = [{ role: 'user' as const, content: 'hi' }];

    it('refuses a provider whose host name resolves to the metadata address, before connecting', async () => {
      const { model } = await providerWithModel(t, body(`http://metadata.localtest:${new URL(fake.url).port}/v1`), {
        model_id: 'gpt-4o-mini',
      });
      const error = await failureOf(client(t).chat(model, { messages }));
      expect(error).toMatchObject({ errorClass: 'blocked_destination', kind: 'upstream' });
      expect(error.message).toMatch(/metadata\.localtest \(169\.254\.169\.254\) is a cloud metadata address, always refused/);
    });

    it('refuses loopback endpoints once security.allow_loopback_endpoints is off, by address and by name', async () => {
      const byAddress = await providerWithModel(t, body(`${fake.url}/v1`), { model_id: 'gpt-4o-mini' });
      const byName = await providerWithModel(t, body(`http://localhost:${new URL(fake.url).port}/v1`), { model_id: 'gpt-4o-mini' });
      expect((await client(t).chat(byName.model, { messages })).text).toBeTruthy();
      await setSetting(t, 'security.allow_loopback_endpoints', false);
      try {
        fake.reset();
        for (const { model } of [byAddress, byName]) {
          const error = await failureOf(client(t).chat(model, { messages }));
          expect(error).toMatchObject({ errorClass: 'blocked_destination' });
          expect(error.message).toMatch(/loopback address, refused while the setting security\.allow_loopback_endpoints is off/);
        }
        expect(fake.requests).toHaveLength(0);
      } finally {
        await setSetting(t, 'security.allow_loopback_endpoints', true);
      }
    });
  });
});
