import pg from 'pg';
import { embeddedDatabaseUrl, login, machine, measureGets, ms, startServerProcess, writeSection, type LatencyStats } from './support.js';

const PROVIDERS = 200;
const MODELS = 10_000;

/**
 * Catalogue reads at scale: 10,000 models over 200 providers, read through the HTTP API with
 * auth (JWT) on, from the in-process registry cache. Target: p99 under 10 ms.
 */
export async function run(args: string[]): Promise<void> {
  const requests = args.includes('--smoke') ? 500 : 20_000;
  const server = await startServerProcess({ SEED_REGISTRY: 'false' }, 0);
  try {
    const db = new pg.Client({ connectionString: embeddedDatabaseUrl(server) });
    await db.connect();
    await db.query(
      `INSERT INTO providers (name, kind, api_base) SELECT 'Bench provider ' || i, 'openai_compatible', 'http://10.0.' || (i / 250) || '.' || (i % 250) || ':8000/v1' FROM generate_series(1, $1) i`,
      [PROVIDERS],
    );
    await db.query(
      `INSERT INTO models (provider_id, display_name, model_id, type, status, params, input_price_per_million, output_price_per_million)
       SELECT p.id, 'bench-model-' || lpad(i::text, 5, '0'), 'upstream-' || i,
              (ARRAY['generation', 'embedding', 'ner'])[1 + i % 3], CASE WHEN i % 10 = 0 THEN 'inactive' ELSE 'active' END,
              CASE WHEN i % 3 = 1 THEN '{"dimensions": 768}'::jsonb ELSE '{"context_window": 128000, "max_output_tokens": 4096}'::jsonb END,
              0.15, 0.6
         FROM generate_series(1, $1) i JOIN LATERAL (SELECT id FROM providers ORDER BY id OFFSET (i % $2) LIMIT 1) p ON true`,
      [MODELS, PROVIDERS],
    );
    await db.query(
      `UPDATE models SET is_default = true WHERE id IN (SELECT DISTINCT ON (type) id FROM models WHERE status = 'active' ORDER BY type, created_at)`,
    );
    const ids = (await db.query<{ id: string }>('SELECT id FROM models')).rows.map((r) => r.id);
    await db.end();
    const token = await login(server.url);
    const headers = { authorization: `Bearer ${token}` };
    // Pages are spread over the list so the filter and slice do real work.
    let page = 0;
    const listPath = () => `/api/v1/models?type=generation&page_size=50&page=${1 + (page++ % 60)}`;
    let n = 0;
    const getPath = () => `/api/v1/models/${ids[n++ % ids.length]}`;
    await measureGets(listPath, server.url, headers, 4, 200); // warm-up: cache load, JIT
    await measureGets(getPath, server.url, headers, 4, 200);
    const results: [string, number, LatencyStats][] = [];
    for (const concurrency of [1, 10]) {
      results.push([
        `GET /api/v1/models?type=generation&page_size=50`,
        concurrency,
        await measureGets(listPath, server.url, headers, concurrency, requests),
      ]);
      results.push([`GET /api/v1/models/{id}`, concurrency, await measureGets(getPath, server.url, headers, concurrency, requests)]);
    }
    const rows = results.map(
      ([what, c, s]) =>
        `| ${what} | ${c} | ${s.requests} | ${s.errors} | ${s.rps.toFixed(0)} | ${ms(s.p50)} | ${ms(s.p99)} | ${ms(s.max)} |`,
    );
    const worstP99 = Math.max(...results.map(([, , s]) => s.p99));
    const markdown = `## Registry reads (10,000 models, 200 providers)

${machine()}. Server pinned to CPU 0 (\`taskset\`), load generator on the other core; JWT auth on;
reads served from the in-process registry cache. ${requests} requests per row after a warm-up.

| request | concurrency | requests | errors | req/s | p50 ms | p99 ms | max ms |
|---|---|---|---|---|---|---|---|
${rows.join('\n')}

Target p99 < 10 ms: **${worstP99 < 10 ? 'met' : 'missed'}** (worst p99 ${ms(worstP99)} ms).`;
    process.stdout.write(markdown + '\n');
    if (!args.includes('--smoke')) writeSection('registry', markdown);
  } finally {
    await server.stop();
  }
}
