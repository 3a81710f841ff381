import { join } from 'node:path';
import { cpuMs, load, startScript, type LoadResult } from './load.js';
import { login, machine, ms, ROOT, startServerProcess, writeSection } from './support.js';

const CHAT = (model: string, stream = false) =>
  JSON.stringify({
    model,
    messages: [{ role: 'user', content: 'Say something short.' }],
    max_tokens: 32,
    ...(stream ? { stream: true, stream_options: { include_usage: true } } : {}),
  });

interface Target {
  name: string;
  url: string;
  headers: Record<string, string>;
  model: (delay: number) => string;
  pid?: number;
}

/**
 * Gateway overhead: the same chat completion sent to a fake OpenAI upstream directly, through a
 * minimal Node proxy (the floor) and through Switchboard's /v1/chat/completions (API key auth,
 * registry lookup, usage recording). The server and proxy run on CPU 0, the load generator and the
 * fake upstream on CPU 1; rounds alternate between targets.
 */
export async function run(args: string[]): Promise<void> {
  const smoke = args.includes('--smoke');
  const seconds = smoke ? 2 : 8;
  const rounds = smoke ? 1 : 3;
  const fakes = await startScript(join(ROOT, 'backend/test/fakes/run-fakes.ts'), { FAKES_MAX_LOGGED_REQUESTS: '0' }, 1);
  const { urls, keys } = JSON.parse(fakes.firstLine) as { urls: Record<string, string>; keys: Record<string, string> };
  const upstream = urls.openai;
  const floor = await startScript(join(ROOT, 'bench/floor-proxy.ts'), { UPSTREAM: upstream }, 0);
  const server = await startServerProcess({ SEED_REGISTRY: 'false', LOG_LEVEL: 'warn' }, 0);
  try {
    const admin = { authorization: `Bearer ${await login(server.url)}`, 'content-type': 'application/json' };
    const post = async (path: string, body: unknown) => {
      const res = await fetch(`${server.url}${path}`, { method: 'POST', headers: admin, body: JSON.stringify(body) });
      if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
      return res.json() as Promise<{ id: string; secret: string }>;
    };
    await fetch(`${server.url}/api/v1/settings/security.allowed_private_hosts`, {
      method: 'PUT',
      headers: admin,
      body: JSON.stringify({ value: [] }),
    });
    const provider = await post('/api/v1/providers', {
      name: 'bench-openai',
      kind: 'openai_compatible',
      api_base: `${upstream}/v1`,
      api_key: keys.openai,
    });
    for (const delay of [0, 50]) {
      await post('/api/v1/models', {
        provider_id: provider.id,
        display_name: `bench-${delay}ms`,
        model_id: delay ? `gpt-4o-mini-slow-${delay}` : 'gpt-4o-mini',
        type: 'generation',
      });
    }
    const key = await post('/api/v1/api-keys', { name: 'bench' });
    const upstreamModel = (delay: number) => (delay ? `gpt-4o-mini-slow-${delay}` : 'gpt-4o-mini');
    const targets: Target[] = [
      { name: 'direct', url: `${upstream}/v1/chat/completions`, headers: { authorization: `Bearer ${keys.openai}` }, model: upstreamModel },
      {
        name: 'floor proxy',
        url: `${JSON.parse(floor.firstLine).url}/v1/chat/completions`,
        headers: { authorization: `Bearer ${keys.openai}` },
        model: upstreamModel,
        pid: floor.child.pid,
      },
      {
        name: 'switchboard',
        url: `${server.url}/v1/chat/completions`,
        headers: { authorization: `Bearer ${key.secret}` },
        model: (d) => `bench-${d}ms`,
        pid: server.child.pid,
      },
    ];
    for (const t of targets)
      await load({ url: t.url, method: 'POST', headers: t.headers, body: CHAT(t.model(0)), connections: 10, duration: 1 });

    const rows: string[] = [];
    for (const delay of [0, 50]) {
      for (const connections of [10, 50]) {
        const results = new Map<string, LoadResult[]>();
        for (let round = 0; round < rounds; round++) {
          for (const t of targets) {
            const r = await load({
              url: t.url,
              method: 'POST',
              headers: t.headers,
              body: CHAT(t.model(delay)),
              connections,
              duration: seconds,
            });
            results.set(t.name, [...(results.get(t.name) ?? []), r]);
          }
        }
        const direct = median(results.get('direct')!);
        for (const t of targets) {
          const m = median(results.get(t.name)!);
          rows.push(
            `| ${delay} ms | ${connections} | ${t.name} | ${m.rps.toFixed(0)} | ${ms(m.p50)} | ${ms(m.p99)} | ${t.name === 'direct' ? '—' : `+${ms(m.p50 - direct.p50)} / +${ms(m.p99 - direct.p99)}`} | ${m.errors + m.non2xx} |`,
          );
        }
      }
    }
    const cpuRows: string[] = [];
    for (const t of targets.filter((x) => x.pid)) {
      const before = cpuMs(t.pid!);
      const r = await load({
        url: t.url,
        method: 'POST',
        headers: t.headers,
        body: CHAT(t.model(0)),
        connections: 10,
        duration: seconds,
        overallRate: 500,
      });
      cpuRows.push(`| ${t.name} | ${r.requests} | ${((cpuMs(t.pid!) - before) / r.requests).toFixed(3)} |`);
    }
    const markdown = `## Gateway overhead (fake OpenAI upstream on loopback)

${machine()}. Median of ${rounds} interleaved round(s) of ${seconds} s each; latencies per response at full precision.

| upstream delay | connections | target | req/s | p50 ms | p99 ms | overhead over direct (p50 / p99) | errors |
|---|---|---|---|---|---|---|---|
${rows.join('\n')}

CPU per request at a fixed 500 requests/s (process user + system time / requests):

| target | requests | CPU ms per request |
|---|---|---|
${cpuRows.join('\n')}`;
    process.stdout.write(markdown + '\n');
    if (!smoke) writeSection('gateway', markdown);
  } finally {
    await server.stop();
    await floor.stop();
    await fakes.stop();
  }
}

function median(results: LoadResult[]): LoadResult {
  const by = (k: keyof LoadResult) => [...results].sort((a, b) => a[k] - b[k])[Math.floor(results.length / 2)][k];
  return {
    requests: by('requests'),
    errors: by('errors'),
    non2xx: by('non2xx'),
    rps: by('rps'),
    p50: by('p50'),
    p99: by('p99'),
    mean: by('mean'),
  };
}
