import { createGoogleGenerativeAI } from '@ai-sdk/google';
import type { EmbeddingModel, LanguageModel } from 'ai';
import type { ListedModel } from '../upstream.types.js';
import { allPages, arrayOf, numberOf, requestJson } from './http-json.js';
import { extraHeaders, rootOf, SdkAdapter, type AdapterContext } from './upstream-adapter.js';

/** Google Gemini API (generativelanguage): the key goes in `x-goog-api-key`, never in the URL. */
export class GeminiAdapter extends SdkAdapter {
  protected languageModel(ctx: AdapterContext, modelId: string): LanguageModel {
    return this.sdk(ctx).languageModel(bare(modelId));
  }

  protected embeddingModel(ctx: AdapterContext, modelId: string): EmbeddingModel {
    return this.sdk(ctx).embedding(bare(modelId));
  }

  async listModels(ctx: AdapterContext, signal?: AbortSignal): Promise<ListedModel[]> {
    const headers = { 'x-goog-api-key': ctx.target.apiKey ?? '' };
    const root = rootOf(ctx.target.baseUrl);
    return allPages(async (token) => {
      const query = `pageSize=1000${token ? `&pageToken=${encodeURIComponent(token)}` : ''}`;
      const body = (await requestJson(ctx, `${root}/models?${query}`, { headers, signal })) as Record<string, unknown>;
      const items = arrayOf(body?.['models'])
        .filter((m) => typeof m['name'] === 'string')
        .map((m): ListedModel => {
          const methods = Array.isArray(m['supportedGenerationMethods']) ? (m['supportedGenerationMethods'] as unknown[]) : [];
          const embedding = methods.includes('embedContent');
          return {
            id: bare(m['name'] as string),
            type: embedding ? 'embedding' : methods.includes('generateContent') ? 'generation' : undefined,
            contextWindow: numberOf(m['inputTokenLimit']),
            maxOutputTokens: embedding ? undefined : numberOf(m['outputTokenLimit']),
          };
        });
      return { items, next: typeof body?.['nextPageToken'] === 'string' ? body['nextPageToken'] : null };
    });
  }

  private sdk(ctx: AdapterContext) {
    const { target } = ctx;
    return createGoogleGenerativeAI({
      apiKey: target.apiKey ?? '',
      baseURL: rootOf(target.baseUrl),
      headers: extraHeaders(target),
      fetch: ctx.fetch,
    });
  }
}

/** Gemini lists models as `models/gemini-2.5-flash`; callers and the registry use the bare id. */
const bare = (id: string) => id.replace(/^models\//, '');
