/**
 * The hops the gateway bench compares, each started as its own process and configured against the
 * same fake OpenAI upstream: (a) direct, (b) the floor proxy, (c) the Portkey gateway, (d)
 * Switchboard's /v1/chat/completions (API key, registry lookup, usage recording) and (e) its
 * conversation endpoint (JSON reply).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { startScript } from './load.js';
import { freePort, login, ROOT, startServerProcess, type ServerProcess } from './support.js';

export const HOP_CPU = 0;
export const LOAD_CPU = 1;
export const DELAYS = [0, 50] as const;
export const PROMPT = 'Say something short.';

export interface HopRequest {
  url: string;
  headers: Record<string, string>;
  body: string;
  /** A different path per request (the conversation endpoint spreads its load over many conversations). */
  path?: () => string;
}

export interface Target {
  name: string;
  /** The process under test (for CPU and memory); none for direct. */
  pid?: number;
  /** Whether it takes part in the streamed runs. */
  streams: boolean;
  request(delay: number, stream: boolean): HopRequest;
}

export const upstreamModel = (delay: number, suffix = '') => (delay ? `gpt-4o-mini-slow-${delay}${suffix}` : `gpt-4o-mini${suffix}`);

export const chatBody = (model: string, stream: boolean) =>
  JSON.stringify({
    model,
    messages: [{ role: 'user', content: PROMPT }],
    max_tokens: 32,
    ...(stream ? { stream: true, stream_options: { include_usage: true } } : {}),
  });

interface Stoppable {
  stop(): Promise<void>;
}

/** A process pinned to a CPU, ready once `readyUrl` answers 200. */
async function startProcess(args: string[], env: Record<string, string>, cpu: number, readyUrl: string) {
  const child: ChildProcess = spawn('taskset', ['-c', String(cpu), process.execPath, ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let errors = '';
  child.stderr!.on('data', (d: Buffer) => (errors = (errors + d.toString()).slice(-20_000)));
  const started = Date.now();
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${args[0]} exited: ${errors}`);
    const ok = await fetch(readyUrl).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) break;
    if (Date.now() - started > 30_000) throw new Error(`${args[0]} not ready in 30 s`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    child,
    /** What it wrote to stderr (Portkey logs its failures there). */
    errors: () => errors,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    },
  };
}

export interface Upstream {
  url: string;
  key: string;
}

/** Creates the provider, models, an API key and conversations on a running Switchboard. */
export async function configureSwitchboard(server: ServerProcess, upstream: Upstream, conversations: number) {
  const admin = { authorization: `Bearer ${await login(server.url)}`, 'content-type': 'application/json' };
  const call = async (method: string, path: string, body: unknown, headers = admin) => {
    const res = await fetch(`${server.url}${path}`, { method, headers, body: JSON.stringify(body) });
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
    return res.json() as Promise<{ id: string; secret: string }>;
  };
  await call('PUT', '/api/v1/settings/security.allowed_private_hosts', { value: [] });
  const provider = await call('POST', '/api/v1/providers', {
    name: 'bench-openai',
    kind: 'openai_compatible',
    api_base: `${upstream.url}/v1`,
    api_key: upstream.key,
  });
  const models = new Map<number, string>();
  for (const delay of DELAYS) {
    const model = await call('POST', '/api/v1/models', {
      provider_id: provider.id,
      display_name: `bench-${delay}ms`,
      model_id: upstreamModel(delay),
      type: 'generation',
    });
    models.set(delay, model.id);
  }
  await call('POST', '/api/v1/models', {
    provider_id: provider.id,
    display_name: 'bench-paced',
    model_id: 'gpt-4o-mini-chunk-delay-10',
    type: 'generation',
  });
  const key = await call('POST', '/api/v1/api-keys', { name: 'bench' });
  const keyHeaders = { authorization: `Bearer ${key.secret}`, 'content-type': 'application/json' };
  // Enough conversations that no two requests in flight share one (sends to one are serialised).
  const pools = new Map<number, string[]>();
  for (const delay of DELAYS) {
    const ids: string[] = [];
    for (let i = 0; i < conversations; i++)
      ids.push((await call('POST', '/api/v1/conversations', { model_id: models.get(delay), title: `bench ${i}` }, keyHeaders)).id);
    pools.set(delay, ids);
  }
  return { key: key.secret, pools };
}

export interface Hops {
  upstream: Upstream;
  targets: Target[];
  server: ServerProcess;
  /** Switchboard's API key. */
  key: string;
  portkeyErrors: () => string;
  stop(): Promise<void>;
}

/** Starts the fake upstream (load core), the floor, Portkey and Switchboard (hop core) and describes each target. */
export async function startHops(conversations: number, serverEnv: Record<string, string> = {}): Promise<Hops> {
  const running: Stoppable[] = [];
  try {
    const fakes = await startScript(join(ROOT, 'backend/test/fakes/run-fakes.ts'), { FAKES_MAX_LOGGED_REQUESTS: '0' }, LOAD_CPU);
    running.push(fakes);
    const { urls, keys } = JSON.parse(fakes.firstLine) as { urls: Record<string, string>; keys: Record<string, string> };
    const upstream = { url: urls.openai, key: keys.openai };
    const floor = await startScript(join(ROOT, 'bench/floor-proxy.ts'), { UPSTREAM: upstream.url }, HOP_CPU);
    running.push(floor);
    const portkeyPort = await freePort();
    const portkey = await startProcess(
      [join(ROOT, 'node_modules/@portkey-ai/gateway/build/start-server.js'), `--port=${portkeyPort}`, '--headless'],
      { NODE_ENV: 'production' },
      HOP_CPU,
      `http://127.0.0.1:${portkeyPort}/`,
    );
    running.push(portkey);
    const server = await startServerProcess({ SEED_REGISTRY: 'false', LOG_LEVEL: 'warn', ...serverEnv }, HOP_CPU);
    running.push(server);
    const { key, pools } = await configureSwitchboard(server, upstream, conversations);
    const bearer = { authorization: `Bearer ${upstream.key}` };
    const floorUrl = (JSON.parse(floor.firstLine) as { url: string }).url;
    const direct = (delay: number, stream: boolean): HopRequest => ({
      url: `${upstream.url}/v1/chat/completions`,
      headers: bearer,
      body: chatBody(upstreamModel(delay), stream),
    });
    let next = 0;
    const targets: Target[] = [
      { name: 'direct', streams: true, request: direct },
      {
        name: 'floor proxy',
        pid: floor.child.pid,
        streams: true,
        request: (d, s) => ({ ...direct(d, s), url: `${floorUrl}/v1/chat/completions` }),
      },
      {
        name: 'portkey',
        pid: portkey.child.pid,
        streams: true,
        request: (d, s) => ({
          ...direct(d, s),
          url: `http://127.0.0.1:${portkeyPort}/v1/chat/completions`,
          headers: { ...bearer, 'x-portkey-provider': 'openai', 'x-portkey-custom-host': `${upstream.url}/v1` },
        }),
      },
      {
        name: 'switchboard',
        pid: server.child.pid,
        streams: true,
        request: (d, s) => ({
          url: `${server.url}/v1/chat/completions`,
          headers: { authorization: `Bearer ${key}` },
          body: chatBody(`bench-${d}ms`, s),
        }),
      },
      {
        name: 'conversation',
        pid: server.child.pid,
        streams: false,
        request: (d) => {
          const pool = pools.get(d)!;
          return {
            url: `${server.url}/api/v1/conversations/${pool[0]}/messages`,
            headers: { authorization: `Bearer ${key}` },
            body: JSON.stringify({ content: PROMPT }),
            path: () => `/api/v1/conversations/${pool[next++ % pool.length]}/messages`,
          };
        },
      },
    ];
    return {
      upstream,
      targets,
      server,
      key,
      portkeyErrors: portkey.errors,
      stop: async () => {
        for (const r of running.reverse()) await r.stop();
      },
    };
  } catch (error) {
    for (const r of running.reverse()) await r.stop().catch(() => undefined);
    throw error;
  }
}
