import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { ROOT } from './server.js';

/** Where global-setup leaves the fakes' URLs and keys for the specs (workers inherit its environment). */
export const FAKES_VARIABLE = 'SWITCHBOARD_E2E_FAKES';

export type FakeName = 'openai' | 'azure' | 'anthropic' | 'gemini' | 'cohere' | 'ollama' | 'litellm';

export interface FakeUpstreams {
  /** Server roots, e.g. `http://127.0.0.1:41234` (the OpenAI fake serves under `/v1`). */
  urls: Record<FakeName, string>;
  /** The keys each fake accepts, e.g. `sk-fake-openai`. */
  keys: Partial<Record<FakeName, string>>;
}

export interface RunningFakes extends FakeUpstreams {
  stop(): Promise<void>;
}

/**
 * Starts every fake LLM upstream as one process (`backend/test/fakes/run-fakes.ts`, run by this
 * Node, which strips the types) on free ports, and resolves with the line it prints once listening.
 */
export async function startFakes(timeoutMs = 30_000): Promise<RunningFakes> {
  const child = spawn(process.execPath, ['backend/test/fakes/run-fakes.ts'], {
    cwd: ROOT,
    env: { ...process.env, FAKES_HOST: '127.0.0.1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let errors = '';
  child.stderr?.on('data', (chunk: Buffer) => (errors += chunk.toString()));
  try {
    const line = await firstLine(child, timeoutMs);
    const started = JSON.parse(line) as FakeUpstreams;
    return { ...started, stop: () => stop(child) };
  } catch (error) {
    await stop(child);
    throw new Error(`the fake upstreams did not start: ${(error as Error).message}\n${errors.slice(-2000)}`, { cause: error });
  }
}

/** The fakes global-setup started. */
export function fakes(): FakeUpstreams {
  const raw = process.env[FAKES_VARIABLE];
  if (!raw) throw new Error(`${FAKES_VARIABLE} is not set: run through e2e/playwright.config.ts`);
  return JSON.parse(raw) as FakeUpstreams;
}

function firstLine(child: ChildProcess, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    const timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs / 1000} s`)), timeoutMs);
    lines.once('line', (line) => {
      clearTimeout(timer);
      lines.close();
      resolve(line);
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`exited with code ${code}`));
    });
  });
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}
