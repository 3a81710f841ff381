import { createAzure } from '@ai-sdk/azure';
import type { EmbeddingModel, LanguageModel } from 'ai';
import type { ListedModel } from '../upstream.types.js';
import { arrayOf, isRecord, requestJson } from './http-json.js';
import { extraHeaders, rootOf, SdkAdapter, type AdapterContext } from './upstream-adapter.js';

const DEFAULT_API_VERSION = '2024-10-21';

/**
 * Azure OpenAI: calls go to deployments (`/openai/deployments/{name}/…?api-version=`) with the
 * `api-key` header. A key can list the resource's base models but not its deployments, so the
 * connection test checks a deployment by calling it.
 */
export class AzureAdapter extends SdkAdapter {
  override readonly modelWord = 'deployment';
  override readonly listsCallableModels = false;

  protected languageModel(ctx: AdapterContext, deployment: string): LanguageModel {
    return this.sdk(ctx).chat(deployment);
  }

  protected embeddingModel(ctx: AdapterContext, deployment: string): EmbeddingModel {
    return this.sdk(ctx).embedding(deployment);
  }

  async listModels(ctx: AdapterContext, signal?: AbortSignal): Promise<ListedModel[]> {
    const { target } = ctx;
    const version = encodeURIComponent(target.apiVersion ?? DEFAULT_API_VERSION);
    const body = await requestJson(ctx, `${resourceRoot(target.baseUrl)}/openai/models?api-version=${version}`, {
      headers: { 'api-key': target.apiKey ?? '' },
      signal,
    });
    return arrayOf((body as { data?: unknown })?.data)
      .filter((m) => typeof m['id'] === 'string')
      .map((m) => {
        const capabilities = isRecord(m['capabilities']) ? m['capabilities'] : {};
        const type =
          capabilities['embeddings'] === true ? 'embedding' : capabilities['chat_completion'] === true ? 'generation' : undefined;
        return { id: m['id'] as string, type };
      });
  }

  private sdk(ctx: AdapterContext) {
    const { target } = ctx;
    return createAzure({
      apiKey: target.apiKey ?? '',
      baseURL: `${resourceRoot(target.baseUrl)}/openai`,
      apiVersion: target.apiVersion ?? DEFAULT_API_VERSION,
      useDeploymentBasedUrls: true,
      headers: extraHeaders(target),
      fetch: ctx.fetch,
    });
  }
}

/** The resource endpoint, also when the admin pasted it with `/openai` or `/openai/v1`. */
const resourceRoot = (baseUrl: string) => rootOf(baseUrl, ['/v1', '/openai']);
