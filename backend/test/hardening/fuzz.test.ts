import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { DataSource } from 'typeorm';
import { OllamaFake } from '../fakes/index.js';
import { aModel, aProvider } from '../support/registry.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { stateCounts, stateDiff } from './support/counts.js';
import { type OpenApiDoc, type Operation, valueFor } from './support/openapi-arbitraries.js';

const TOTAL_CASES = Number(process.env.FUZZ_CASES ?? 20_000);
const SEED = Number(process.env.FUZZ_SEED ?? Date.now() % 2 ** 31);
const ROLES = ['anonymous', 'admin', 'member', 'auditor'] as const;

interface FuzzRequest {
  path: string;
  query: Record<string, unknown>;
  body: unknown;
}

describe('fuzz: every operation in openapi.json, every role', () => {
  const doc = JSON.parse(readFileSync(new URL('../../../openapi.json', import.meta.url), 'utf8')) as OpenApiDoc;
  const operations = Object.entries(doc.paths).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, op]) => ({ path, method, op: op as Operation })),
  );
  let t: TestApp;
  let fake: OllamaFake;
  let dataSource: DataSource;
  const tokens: Record<string, string | undefined> = {};
  const ids: string[] = [];
  const tally = { cases: 0, errors: 0, failures: 0 };

  beforeAll(async () => {
    fake = await new OllamaFake().start();
    t = await startTestApp({ env: { SEED_REGISTRY: 'false', LOG_LEVEL: 'fatal', TRUST_PROXY: 'true' } });
    dataSource = t.app.get(DataSource);
    await t.req('put', '/api/v1/settings/upstream.max_retries').send({ value: 0 });
    const provider = await aProvider(t, { kind: 'ollama', api_base: fake.url });
    const model = await aModel(t, provider.id, { display_name: 'llama3.2', model_id: 'llama3.2' });
    const embed = await aModel(t, provider.id, {
      display_name: 'nomic-embed-text',
      model_id: 'nomic-embed-text',
      type: 'embedding',
      params: { dimensions: 768 },
    });
    tokens.admin = t.adminToken;
    tokens.member = (await t.userWithRole('member')).token;
    tokens.auditor = (await t.userWithRole('auditor')).token;
    const conversation = await t.req('post', '/api/v1/conversations', tokens.member).send({});
    const key = await t.req('post', '/api/v1/api-keys', tokens.member).send({ name: 'fuzzed' });
    const bystander = await t.userWithRole('member');
    ids.push(provider.id, model.id, embed.id, conversation.body.id, key.body.id, bystander.id);
  });
  afterAll(async () => {
    process.stdout.write(
      `fuzz: seed=${SEED} operations=${operations.length} cases=${tally.cases} error-responses=${tally.errors} failures=${tally.failures}\n`,
    );
    await t.close();
    await fake.close();
  });

  it('finds the operations to fuzz', () => {
    expect(operations.length).toBeGreaterThan(40);
  });

  const perCombination = () => Math.max(5, Math.ceil(TOTAL_CASES / (operations.length * ROLES.length)));

  it('never answers 500, always answers errors in the documented shape, and changes nothing when it refuses', async () => {
    for (const { path, method, op } of operations) {
      for (const role of ROLES) {
        const request = requestFor(path, op, doc, ids);
        await fc
          .assert(
            fc.asyncProperty(request, async (r) => {
              tally.cases++;
              const before = await stateCounts(dataSource);
              const agent = t.http();
              let call = agent[method as 'get'](r.path).query(r.query as Record<string, string>);
              if (tokens[role]) call = call.set('authorization', `Bearer ${tokens[role]}`);
              const res =
                r.body === undefined ? await call : await call.set('content-type', 'application/json').send(JSON.stringify(r.body));
              const where = `${method.toUpperCase()} ${r.path} as ${role} → ${res.status}`;
              if (res.status >= 500 && ![502, 503, 504].includes(res.status)) throw new Error(`${where}: ${res.text.slice(0, 300)}`);
              if (res.status < 400) return;
              tally.errors++;
              if (path.startsWith('/v1/')) {
                if (typeof res.body?.error?.message !== 'string')
                  throw new Error(`${where}: not an OpenAI error body: ${res.text.slice(0, 200)}`);
              } else if (
                !String(res.headers['content-type']).startsWith('application/problem+json') ||
                res.body.status !== res.status ||
                !res.body.code
              ) {
                throw new Error(`${where}: not problem+json: ${res.headers['content-type']} ${res.text.slice(0, 200)}`);
              }
              const after = await stateCounts(dataSource);
              if (after !== before) throw new Error(`${where}: an error response changed state: ${stateDiff(before, after)}`);
            }),
            { seed: SEED, numRuns: perCombination(), endOnFailure: true },
          )
          .catch((error: unknown) => {
            tally.failures++;
            throw error;
          });
      }
    }
    expect(tally.cases).toBeGreaterThanOrEqual(Math.min(TOTAL_CASES, operations.length * ROLES.length * 5) * 0.9);
  }, 1_800_000);
});

function requestFor(path: string, op: Operation, doc: OpenApiDoc, ids: string[]): fc.Arbitrary<FuzzRequest> {
  const pathParams = (op.parameters ?? []).filter((p) => p.in === 'path');
  const queryParams = (op.parameters ?? []).filter((p) => p.in === 'query');
  const pathArb = fc.tuple(
    ...pathParams.map((p) =>
      fc.oneof({ arbitrary: valueFor(p.schema, doc, ids), weight: 4 }, { arbitrary: fc.string({ maxLength: 20 }), weight: 1 }),
    ),
  );
  const queryArb = fc.record(Object.fromEntries(queryParams.map((p) => [p.name, valueFor(p.schema, doc, ids)])), { requiredKeys: [] });
  const schema = op.requestBody?.content['application/json']?.schema;
  const bodyArb = schema ? valueFor(schema, doc, ids) : fc.constant(undefined);
  return fc.tuple(pathArb, queryArb, bodyArb).map(([values, query, body]) => {
    let i = 0;
    const concrete = path.replace(/\{[^}]+\}/g, () => encodeURIComponent(asText(values[i++] ?? 'x')) || 'x');
    const flatQuery = Object.fromEntries(Object.entries(query).map(([k, v]) => [k, asText(v)]));
    return { path: concrete, query: flatQuery, body };
  });
}

/** A value as a URL would carry it; objects (some without a prototype) as JSON. */
function asText(value: unknown): string {
  return typeof value === 'object' && value !== null ? JSON.stringify(value) : String(value);
}
