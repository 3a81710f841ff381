import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const runner = fileURLToPath(new URL('./run-fakes.ts', import.meta.url));

interface Announcement {
  urls: Record<string, string>;
  keys: Record<string, string>;
}

function firstLine(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    let stderr = '';
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    lines.once('line', (line) => {
      lines.close();
      resolve(line);
    });
    child.once('exit', (code) => reject(new Error(`run-fakes exited with ${code}: ${stderr}`)));
  });
}

describe('standalone runner (node backend/test/fakes/run-fakes.ts)', () => {
  let child: ChildProcess;
  let announced: Announcement;

  beforeAll(async () => {
    const env: NodeJS.ProcessEnv = { ...process.env, FAKES_MAX_LOGGED_REQUESTS: '0' };
    delete env['FAKES_PORT_BASE'];
    child = spawn(process.execPath, [runner], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    announced = JSON.parse(await firstLine(child)) as Announcement;
  });
  afterAll(async () => {
    if (child.exitCode !== null) return;
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });

  it('announces every fake with its URL and default key, and each answers its own API', async () => {
    const { urls, keys } = announced;
    expect(Object.keys(urls).sort()).toEqual(['anthropic', 'azure', 'cohere', 'gemini', 'litellm', 'ollama', 'openai']);
    const probes: [string, RequestInit?][] = [
      [`${urls['openai']}/v1/models`, { headers: { authorization: `Bearer ${keys['openai']}` } }],
      [`${urls['azure']}/openai/v1/models`, { headers: { 'api-key': keys['azure']! } }],
      [`${urls['anthropic']}/v1/models`, { headers: { 'x-api-key': keys['anthropic']!, 'anthropic-version': '2023-06-01' } }],
      [`${urls['gemini']}/v1beta/models?key=${keys['gemini']}`],
      [`${urls['cohere']}/v1/models`, { headers: { authorization: `Bearer ${keys['cohere']}` } }],
      [`${urls['ollama']}/api/tags`],
      [`${urls['litellm']}/models`, { headers: { authorization: `Bearer ${keys['litellm']}` } }],
    ];
    for (const [url, init] of probes) {
      const response = await fetch(url, init);
      expect({ url, status: response.status }).toEqual({ url, status: 200 });
    }
  });

  it('takes behaviours through the control endpoints, as a Playwright test would', async () => {
    const base = announced.urls['ollama'];
    await fetch(`${base}/__fake/enqueue`, { method: 'POST', body: JSON.stringify({ behaviour: { status: 503 } }) });
    expect((await fetch(`${base}/api/version`)).status).toBe(503);
    expect((await fetch(`${base}/api/version`)).status).toBe(200);
  });
});
