import { createAnthropic } from '@ai-sdk/anthropic';
import type { LanguageModel } from 'ai';
import type { ListedModel } from '../upstream.types.js';
import { allPages, arrayOf, numberOf, requestJson } from './http-json.js';
import { extraHeaders, rootOf, SdkAdapter, type AdapterContext } from './upstream-adapter.js';

const ANTHROPIC_VERSION = '2023-06-01';

/** Anthropic Messages API; it serves no embeddings. Its model list carries input and output limits. */
export class AnthropicAdapter extends SdkAdapter {
  protected languageModel(ctx: AdapterContext, modelId: string): LanguageModel {
    const { target } = ctx;
    return createAnthropic({
      apiKey: target.apiKey ?? '',
      baseURL: `${apiRoot(target.baseUrl)}/v1`,
      headers: extraHeaders(target),
      fetch: ctx.fetch,
    })(modelId);
  }

  protected embeddingModel(): null {
    return null;
  }

  async listModels(ctx: AdapterContext, signal?: AbortSignal): Promise<ListedModel[]> {
    const headers = { 'x-api-key': ctx.target.apiKey ?? '', 'anthropic-version': ANTHROPIC_VERSION };
    const root = apiRoot(ctx.target.baseUrl);
    return allPages(async (after) => {
      const query = `limit=1000${after ? `&after_id=${encodeURIComponent(after)}` : ''}`;
      const body = (await requestJson(ctx, `${root}/v1/models?${query}`, { headers, signal })) as Record<string, unknown>;
      const items = arrayOf(body?.['data'])
        .filter((m) => typeof m['id'] === 'string')
        .map((m) => ({
          id: m['id'] as string,
          type: 'generation' as const,
          contextWindow: numberOf(m['max_input_tokens']),
          maxOutputTokens: numberOf(m['max_tokens']),
        }));
      return { items, next: body?.['has_more'] === true ? (items.at(-1)?.id ?? null) : null };
    });
  }
}

const apiRoot = (baseUrl: string) => rootOf(baseUrl, ['/v1']);
