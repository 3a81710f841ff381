import { createOpenAI } from '@ai-sdk/openai';
import type { EmbeddingModel, LanguageModel } from 'ai';
import type { ListedModel } from '../upstream.types.js';
import { arrayOf, requestJson } from './http-json.js';
import { extraHeaders, rootOf, SdkAdapter, type AdapterContext } from './upstream-adapter.js';

/** OpenAI itself: Chat Completions (the API every OpenAI-style server shares), embeddings, /models. */
export class OpenAiAdapter extends SdkAdapter {
  protected languageModel(ctx: AdapterContext, modelId: string): LanguageModel {
    return this.sdk(ctx).chat(modelId);
  }

  protected embeddingModel(ctx: AdapterContext, modelId: string): EmbeddingModel {
    return this.sdk(ctx).embedding(modelId);
  }

  async listModels(ctx: AdapterContext, signal?: AbortSignal): Promise<ListedModel[]> {
    const body = await requestJson(ctx, `${rootOf(ctx.target.baseUrl)}/models`, { headers: this.authHeaders(ctx), signal });
    return openAiModelList(body);
  }

  private authHeaders(ctx: AdapterContext): Record<string, string> {
    const { apiKey, config } = ctx.target;
    return {
      ...(apiKey && { authorization: `Bearer ${apiKey}` }),
      ...(config.organization && { 'openai-organization': config.organization }),
      ...(config.project && { 'openai-project': config.project }),
    };
  }

  // The key is always passed (empty when none) so the SDK never falls back to OPENAI_API_KEY.
  private sdk(ctx: AdapterContext) {
    const { target } = ctx;
    return createOpenAI({
      apiKey: target.apiKey ?? '',
      baseURL: rootOf(target.baseUrl),
      organization: target.config.organization,
      project: target.config.project,
      headers: extraHeaders(target),
      fetch: ctx.fetch,
    });
  }
}

/** `{"data":[{"id":…}]}`, the list format OpenAI, LiteLLM, vLLM and most compatible servers share. */
export function openAiModelList(body: unknown): ListedModel[] {
  const data = arrayOf((body as { data?: unknown })?.data);
  return data.filter((m) => typeof m['id'] === 'string').map((m) => ({ id: m['id'] as string }));
}
