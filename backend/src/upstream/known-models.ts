import type { ListedModel } from './upstream.types.js';

type Known = Omit<ListedModel, 'id'>;

/**
 * Published limits of common models, for suggestions where a provider's list says nothing
 * (OpenAI's /models carries ids only). Suggestions only: the admin confirms them on import.
 */
const KNOWN: [RegExp, Known][] = [
  [/^text-embedding-3-small/, { type: 'embedding', dimensions: 1536, contextWindow: 8191 }],
  [/^text-embedding-3-large/, { type: 'embedding', dimensions: 3072, contextWindow: 8191 }],
  [/^text-embedding-ada-002/, { type: 'embedding', dimensions: 1536, contextWindow: 8191 }],
  [/^text-embedding-004/, { type: 'embedding', dimensions: 768, contextWindow: 2048 }],
  [/^gemini-embedding-001/, { type: 'embedding', dimensions: 3072, contextWindow: 2048 }],
  [/^embed-(english|multilingual)-v3\.0/, { type: 'embedding', dimensions: 1024, contextWindow: 512 }],
  [/^embed-(english|multilingual)-light-v3\.0/, { type: 'embedding', dimensions: 384, contextWindow: 512 }],
  [/^embed-v4\.0/, { type: 'embedding', dimensions: 1536, contextWindow: 128_000 }],
  [/^nomic-embed-text/, { type: 'embedding', dimensions: 768, contextWindow: 2048 }],
  [/^mxbai-embed-large/, { type: 'embedding', dimensions: 1024, contextWindow: 512 }],
  [/^all-minilm/, { type: 'embedding', dimensions: 384, contextWindow: 512 }],
  [/^gpt-5/, { type: 'generation', contextWindow: 400_000, maxOutputTokens: 128_000 }],
  [/^gpt-4\.1/, { type: 'generation', contextWindow: 1_047_576, maxOutputTokens: 32_768 }],
  [/^gpt-4o/, { type: 'generation', contextWindow: 128_000, maxOutputTokens: 16_384 }],
  [/^o[134](-mini|-pro)?(-\d|$)/, { type: 'generation', contextWindow: 200_000, maxOutputTokens: 100_000 }],
  [/^gpt-3\.5-turbo/, { type: 'generation', contextWindow: 16_385, maxOutputTokens: 4096 }],
];

/** Models a chat/embedding registry has no use for (images, audio, moderation, legacy completions). */
const NOT_CHAT_OR_EMBEDDING =
  /^(dall-e|gpt-image|whisper|tts|gpt-4o(-mini)?-(transcribe|tts|realtime|audio)|omni-moderation|text-moderation|babbage|davinci|sora|rerank)/i;

/** What a model id suggests: embedding models are named so by every provider here. */
export function guessType(id: string): ListedModel['type'] {
  if (NOT_CHAT_OR_EMBEDDING.test(id)) return undefined;
  return /embed/i.test(id) ? 'embedding' : 'generation';
}

/** Fills what the upstream left out from the table above; what the upstream said wins. */
export function withKnownLimits(model: ListedModel): ListedModel {
  const bare = model.id.replace(/^models\//, '').replace(/:latest$/, '');
  const known = KNOWN.find(([pattern]) => pattern.test(bare))?.[1] ?? {};
  const type = model.type ?? known.type ?? guessType(bare);
  return {
    ...model,
    type,
    contextWindow: model.contextWindow ?? known.contextWindow,
    maxOutputTokens: type === 'embedding' ? undefined : (model.maxOutputTokens ?? known.maxOutputTokens),
    dimensions: type === 'embedding' ? (model.dimensions ?? known.dimensions) : undefined,
  };
}
