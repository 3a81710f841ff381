import { createOpenAICompatible } from '@ai-sdk/openai-compatible';
import type { EmbeddingModel, LanguageModel } from 'ai';
import type { ChatRequest, ChatResult, ChatStreamEvent, ListedModel } from '../upstream.types.js';
import { chatCompletion, chatCompletionStream } from './chat-completions-wire.js';
import { requestJson } from './http-json.js';
import { openAiModelList } from './openai.adapter.js';
import { extraHeaders, rootOf, SdkAdapter, type AdapterContext } from './upstream-adapter.js';

/**
 * LiteLLM proxies and other OpenAI-compatible servers (vLLM, LM Studio, TGI): the key is optional.
 * Chat goes straight over the wire (the format is exactly OpenAI's); embeddings through the SDK.
 */
export class OpenAiCompatibleAdapter extends SdkAdapter {
  override chat(ctx: AdapterContext, request: ChatRequest): Promise<ChatResult> {
    return chatCompletion(ctx, request);
  }

  override chatStream(ctx: AdapterContext, request: ChatRequest): AsyncIterable<ChatStreamEvent> {
    return chatCompletionStream(ctx, request);
  }

  protected languageModel(ctx: AdapterContext, modelId: string): LanguageModel {
    return this.sdk(ctx).chatModel(modelId);
  }

  protected embeddingModel(ctx: AdapterContext, modelId: string): EmbeddingModel {
    return this.sdk(ctx).embeddingModel(modelId);
  }

  async listModels(ctx: AdapterContext, signal?: AbortSignal): Promise<ListedModel[]> {
    const { apiKey } = ctx.target;
    const headers: Record<string, string> = apiKey ? { authorization: `Bearer ${apiKey}` } : {};
    return openAiModelList(await requestJson(ctx, `${rootOf(ctx.target.baseUrl)}/models`, { headers, signal }));
  }

  private sdk(ctx: AdapterContext) {
    const { target } = ctx;
    return createOpenAICompatible({
      name: target.kind,
      baseURL: rootOf(target.baseUrl),
      apiKey: target.apiKey ?? undefined,
      headers: extraHeaders(target),
      includeUsage: true,
      fetch: ctx.fetch,
    });
  }
}
