import { Injectable } from '@nestjs/common';
import { isIP, Socket } from 'node:net';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import type { StoredTestResult, StoredTestStage } from '../providers/provider.entity.js';
import type { ModelType } from '../providers/provider-kinds.js';
import { adapterFor, type AdapterContext, type UpstreamAdapter } from './adapters/index.js';
import { DestinationGuard } from './destination-guard.js';
import { checkUrl } from './destination-policy.js';
import { classifyFailure, contextOf, timedOut, type FailureContext } from './error-classifier.js';
import { UpstreamError } from './upstream-error.js';
import type { ListedModel, UpstreamTarget } from './upstream.types.js';

/** The model to probe, and for embeddings the vector length it is registered with. */
export interface ProbeSpec {
  modelId: string;
  type: ModelType;
  dimensions?: number;
}

type Stage = 'dns' | 'connect' | 'auth' | 'model' | 'probe';

/** Room for a reasoning model to think before it says "OK"; only what it uses is billed. */
const PROBE_OUTPUT_TOKENS = 1024;
const PROBE_PROMPT = 'Reply with the single word OK.';
const EMBED_PROBE_TEXT = 'Switchboard connection test';

/** A stage's outcome: a detail line when it passed, `skip` when it could not say anything. */
type Outcome = { detail: string } | { skip: string };

/**
 * Runs a connection test in stages: dns → connect (TLS for https) → auth (a free call: the model
 * list) → model (listed upstream) → probe (a tiny generation, or one embedding whose length must
 * match). It stops at the first failure, names it, and explains it in one line with the fix.
 * Diagnostics bypass retries and the circuit breaker (they must show the real error) but never the
 * SSRF guard.
 */
@Injectable()
export class ConnectionTester {
  constructor(private readonly guard: DestinationGuard) {}

  async run(target: UpstreamTarget, probe: ProbeSpec | null): Promise<StoredTestResult> {
    const started = Date.now();
    const adapter = adapterFor(target.kind);
    const ctx: AdapterContext = (await this.guard.guarded()).context(target);
    const failure = contextOf(target, probe?.modelId, adapter.modelWord);
    const stages: StoredTestStage[] = [];
    let address = '';
    let listed: ListedModel[] | null = null;
    let url: URL | undefined;
    let lastDetail = '';

    const steps: [Stage, () => Promise<Outcome>][] = [
      [
        'dns',
        async () => {
          url = checkUrl(target.baseUrl, await this.guard.policy());
          const host = url.hostname.replace(/^\[|\]$/g, '');
          const addresses = isIP(host) ? [{ address: host }] : await this.guard.resolve(host);
          address = addresses[0]!.address;
          return {
            detail: isIP(host)
              ? `${host} is an address; nothing to resolve`
              : `${host} → ${addresses
                  .slice(0, 3)
                  .map((a) => a.address)
                  .join(', ')}`,
          };
        },
      ],
      ['connect', () => this.connect(url!, address, target.timeoutMs)],
      [
        'auth',
        async () => {
          try {
            listed = await withTimeout(target.timeoutMs, (signal) => adapter.listModels(ctx, signal));
          } catch (error) {
            const classified = classifyFailure(error, { ...failure, modelId: undefined });
            // Some OpenAI-compatible servers have no model list; the probe still proves the key.
            if (classified.errorClass === 'not_found' && target.kind !== 'openai')
              return { skip: `${failure.host} has no model list; the probe checks the key` };
            throw classified;
          }
          const keyNote = target.apiKey ? 'accepted the key and ' : '';
          return { detail: `${failure.host} ${keyNote}lists ${listed!.length} model${listed!.length === 1 ? '' : 's'}` };
        },
      ],
      ['model', async () => this.checkListed(adapter, failure, probe, listed)],
      ['probe', async () => (probe ? this.probe(adapter, ctx, probe, target.timeoutMs) : { skip: 'no model to probe' })],
    ];

    let failed: { stage: Stage; error: UpstreamError } | null = null;
    for (const [stage, step] of steps) {
      if (failed) {
        stages.push({ stage, status: 'skipped', latency_ms: 0, detail: `skipped after ${failed.stage} failed` });
        continue;
      }
      const t0 = Date.now();
      try {
        const outcome = await step();
        const skipped = 'skip' in outcome;
        if (!skipped) lastDetail = outcome.detail;
        stages.push({
          stage,
          status: skipped ? 'skipped' : 'ok',
          latency_ms: Date.now() - t0,
          detail: skipped ? outcome.skip : outcome.detail,
        });
      } catch (error) {
        const classified = classifyFailure(error, failure);
        failed = { stage, error: classified };
        stages.push({ stage, status: 'failed', latency_ms: Date.now() - t0, detail: classified.message });
      }
    }
    return {
      ok: failed === null,
      tested_at: new Date().toISOString(),
      latency_ms: Date.now() - started,
      failed_stage: failed?.stage ?? null,
      error_class: failed?.error.errorClass ?? null,
      upstream_status: failed?.error.status ?? null,
      message: failed ? failed.error.message : `OK: ${lastDetail}`,
      model_id: probe?.modelId ?? null,
      stages,
    };
  }

  /** TCP to the address the dns stage checked (no second lookup), and the TLS handshake for https. */
  private connect(url: URL, address: string, timeoutMs: number): Promise<Outcome> {
    const https = url.protocol === 'https:';
    const port = Number(url.port || (https ? 443 : 80));
    const host = url.hostname.replace(/^\[|\]$/g, '');
    return new Promise((resolve, reject) => {
      const socket: Socket | TLSSocket = https
        ? tlsConnect({ host: address, port, servername: isIP(host) ? undefined : host, ALPNProtocols: ['http/1.1'] })
        : new Socket().connect({ host: address, port });
      const done = (error?: unknown) => {
        clearTimeout(timer);
        const protocol = https ? (socket as TLSSocket).getProtocol?.() : null;
        socket.destroy();
        if (error) reject(error);
        else
          resolve({
            detail: https ? `${protocol ?? 'TLS'} to ${address}:${port}, certificate valid for ${host}` : `TCP to ${address}:${port}`,
          });
      };
      const timer = setTimeout(() => done(timedOut({ host: url.host, timeoutMs, secrets: [] })), timeoutMs);
      socket.once(https ? 'secureConnect' : 'connect', () => done());
      socket.once('error', done);
    });
  }

  private checkListed(adapter: UpstreamAdapter, failure: FailureContext, probe: ProbeSpec | null, listed: ListedModel[] | null): Outcome {
    const word = adapter.modelWord;
    if (!probe) return { skip: 'no model given' };
    if (!adapter.listsCallableModels) return { skip: `the key cannot list ${word}s; the probe checks ${probe.modelId}` };
    if (!listed) return { skip: `no model list; the probe checks ${probe.modelId}` };
    const wanted = sameModelKey(probe.modelId);
    if (listed.some((m) => sameModelKey(m.id) === wanted)) return { detail: `${probe.modelId} is listed` };
    const examples = listed
      .slice(0, 5)
      .map((m) => m.id)
      .join(', ');
    throw new UpstreamError(
      'not_found',
      `${failure.host} does not list the ${word} ${probe.modelId} for this key (it lists ${listed.length}${examples ? `, e.g. ${examples}` : ''}): check the ${word} name`,
    );
  }

  private async probe(adapter: UpstreamAdapter, ctx: AdapterContext, probe: ProbeSpec, timeoutMs: number): Promise<Outcome> {
    const failure = contextOf(ctx.target, probe.modelId, adapter.modelWord);
    const t0 = Date.now();
    if (probe.type !== 'embedding') {
      const reply = await withTimeout(timeoutMs, (signal) =>
        adapter.chat(ctx, {
          model: probe.modelId,
          messages: [{ role: 'user', content: PROBE_PROMPT }],
          maxOutputTokens: PROBE_OUTPUT_TOKENS,
          signal,
        }),
      ).catch((error: unknown) => Promise.reject(classifyFailure(error, failure)));
      return { detail: `${probe.modelId} answered in ${Date.now() - t0} ms (${reply.usage.outputTokens} output tokens)` };
    }
    const result = await withTimeout(timeoutMs, (signal) =>
      adapter.embed(ctx, { model: probe.modelId, inputs: [EMBED_PROBE_TEXT], signal }),
    ).catch((error: unknown) => Promise.reject(classifyFailure(error, failure)));
    const length = result.embeddings[0]?.length ?? 0;
    if (length === 0) throw new UpstreamError('invalid_response', `${failure.host} returned no embedding for ${probe.modelId}`);
    if (probe.dimensions !== undefined && length !== probe.dimensions) {
      throw new UpstreamError(
        'dimension_mismatch',
        `${probe.modelId} returns ${length}-dimensional vectors but is registered with dimensions ${probe.dimensions}: set params.dimensions to ${length}`,
      );
    }
    return { detail: `${probe.modelId} returned a ${length}-dimensional vector in ${Date.now() - t0} ms` };
  }
}

/** Runs with a deadline; a deadline that passes is reported as the upstream's timeout. */
async function withTimeout<T>(ms: number, run: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), ms);
  try {
    return await run(controller.signal);
  } catch (error) {
    if (controller.signal.aborted) throw Object.assign(new Error('timed out'), { name: 'TimeoutError' });
    throw error;
  } finally {
    clearTimeout(timer);
  }
}

/** Ollama answers `llama3.2:latest` for `llama3.2`; Gemini lists `models/…`. */
const sameModelKey = (id: string) =>
  id
    .replace(/^models\//, '')
    .replace(/:latest$/, '')
    .toLowerCase();
