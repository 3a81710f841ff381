import { createCohere } from '@ai-sdk/cohere';
import type { EmbeddingModel, LanguageModel } from 'ai';
import type { ListedModel } from '../upstream.types.js';
import { allPages, arrayOf, numberOf, requestJson } from './http-json.js';
import { extraHeaders, rootOf, SdkAdapter, type AdapterContext } from './upstream-adapter.js';

/** Cohere: chat and embed on /v2, the model list on /v1 (it names each model's endpoints). */
export class CohereAdapter extends SdkAdapter {
  protected languageModel(ctx: AdapterContext, modelId: string): LanguageModel {
    return this.sdk(ctx)(modelId);
  }

  protected embeddingModel(ctx: AdapterContext, modelId: string): EmbeddingModel {
    return this.sdk(ctx).embedding(modelId);
  }

  async listModels(ctx: AdapterContext, signal?: AbortSignal): Promise<ListedModel[]> {
    const headers = { authorization: `Bearer ${ctx.target.apiKey ?? ''}` };
    const root = apiRoot(ctx.target.baseUrl);
    return allPages(async (token) => {
      const query = `page_size=1000${token ? `&page_token=${encodeURIComponent(token)}` : ''}`;
      const body = (await requestJson(ctx, `${root}/v1/models?${query}`, { headers, signal })) as Record<string, unknown>;
      const items = arrayOf(body?.['models'])
        .filter((m) => typeof m['name'] === 'string')
        .map((m): ListedModel => {
          const endpoints = Array.isArray(m['endpoints']) ? (m['endpoints'] as unknown[]) : [];
          const type = endpoints.includes('embed') ? 'embedding' : endpoints.includes('chat') ? 'generation' : undefined;
          return { id: m['name'] as string, type, contextWindow: numberOf(m['context_length']) };
        });
      return { items, next: typeof body?.['next_page_token'] === 'string' ? body['next_page_token'] : null };
    });
  }

  private sdk(ctx: AdapterContext) {
    const { target } = ctx;
    return createCohere({
      apiKey: target.apiKey ?? '',
      baseURL: `${apiRoot(target.baseUrl)}/v2`,
      headers: extraHeaders(target),
      fetch: ctx.fetch,
    });
  }
}

const apiRoot = (baseUrl: string) => rootOf(baseUrl, ['/v1', '/v2']);
