/**
 * How a fake misbehaves. Every field is optional; an empty object means "answer normally".
 * Behaviours are layered per request: instance default (setBehaviour) < next queued one-shot
 * (enqueue) < `x-fake-behaviour` header < magic tokens in the model name.
 */
export interface FakeBehaviour {
  /** Milliseconds to wait before the first byte of the response. */
  latencyMs?: number;
  /** Milliseconds to wait between stream chunks. */
  chunkDelayMs?: number;
  /** Answer with this HTTP status and the provider's real error body (401, 403, 404, 429, 500, 503, …). */
  status?: number;
  /** Seconds for the Retry-After header; 429 sends 1 unless given, null omits the header. */
  retryAfter?: number | null;
  /** Never answer; the connection stays open until the client gives up or the fake closes. */
  hang?: boolean;
  /** Destroy the connection after this many stream chunks (or half-way through a whole body). */
  dropAfterChunks?: number;
  /** Go silent after this many stream chunks: the connection stays open, nothing more is sent. */
  stallAfterChunks?: number;
  /** Send syntactically broken JSON: the whole body, or one stream chunk. */
  malformed?: 'body' | 'chunk';
  /** Which stream chunk (0-based) is broken when `malformed` is 'chunk'; default 1. */
  malformedChunkIndex?: number;
  /** After this many chunks send the provider's in-stream error event (status picks the kind, default 500). */
  streamErrorAfterChunks?: number;
  /** With a fail status: fail only the first N requests naming this model, then answer normally. */
  flaky?: number;
}

export const BEHAVIOUR_HEADER = 'x-fake-behaviour';

const behaviourKeys: ReadonlySet<string> = new Set([
  'latencyMs',
  'chunkDelayMs',
  'status',
  'retryAfter',
  'hang',
  'dropAfterChunks',
  'stallAfterChunks',
  'malformed',
  'malformedChunkIndex',
  'streamErrorAfterChunks',
  'flaky',
]);

/** Validates a behaviour coming from outside (header, control endpoint), so typos fail loudly. */
export function parseBehaviour(input: unknown): FakeBehaviour {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new Error('a fake behaviour must be a JSON object');
  }
  const unknownKeys = Object.keys(input).filter((key) => !behaviourKeys.has(key));
  if (unknownKeys.length > 0) throw new Error(`unknown fake behaviour keys: ${unknownKeys.join(', ')}`);
  const behaviour = input as FakeBehaviour;
  if (behaviour.malformed !== undefined && behaviour.malformed !== 'body' && behaviour.malformed !== 'chunk') {
    throw new Error('malformed must be "body" or "chunk"');
  }
  return behaviour;
}

const separator = '(?:^|[^a-z0-9])';
const end = '(?=$|[^a-z0-9])';
const magicTokens: ReadonlyArray<{ pattern: RegExp; apply: (b: FakeBehaviour, value: string) => void }> = [
  { pattern: new RegExp(`${separator}fail-(\\d{3})${end}`, 'i'), apply: (b, v) => (b.status = Number(v)) },
  { pattern: new RegExp(`${separator}retry-after-(\\d+)${end}`, 'i'), apply: (b, v) => (b.retryAfter = Number(v)) },
  { pattern: new RegExp(`${separator}flaky-(\\d+)${end}`, 'i'), apply: (b, v) => (b.flaky = Number(v)) },
  { pattern: new RegExp(`${separator}slow-(\\d+)${end}`, 'i'), apply: (b, v) => (b.latencyMs = Number(v)) },
  { pattern: new RegExp(`${separator}chunk-delay-(\\d+)${end}`, 'i'), apply: (b, v) => (b.chunkDelayMs = Number(v)) },
  { pattern: new RegExp(`${separator}drop-(\\d+)${end}`, 'i'), apply: (b, v) => (b.dropAfterChunks = Number(v)) },
  { pattern: new RegExp(`${separator}stall-(\\d+)${end}`, 'i'), apply: (b, v) => (b.stallAfterChunks = Number(v)) },
  { pattern: new RegExp(`${separator}stream-error-(\\d+)${end}`, 'i'), apply: (b, v) => (b.streamErrorAfterChunks = Number(v)) },
  { pattern: new RegExp(`${separator}(hang)${end}`, 'i'), apply: (b) => (b.hang = true) },
  {
    pattern: new RegExp(`${separator}malformed-(body|chunk)${end}`, 'i'),
    apply: (b, v) => (b.malformed = v.toLowerCase() as 'body' | 'chunk'),
  },
];

/**
 * Reads magic tokens from a model name, for callers that cannot reach the fake object
 * (a separate process, a browser): e.g. `gpt-4o-mini-fail-429-retry-after-2`, `fake-slow-300`,
 * `llama3.2-drop-3`, `gpt-4o-mini-flaky-2` (503 twice, then fine).
 */
export function behaviourFromModelName(model: string | undefined): FakeBehaviour | undefined {
  if (!model) return undefined;
  const behaviour: FakeBehaviour = {};
  let found = false;
  for (const { pattern, apply } of magicTokens) {
    const match = pattern.exec(model);
    if (match?.[1] !== undefined) {
      apply(behaviour, match[1]);
      found = true;
    }
  }
  if (found && behaviour.flaky !== undefined && behaviour.status === undefined) behaviour.status = 503;
  return found ? behaviour : undefined;
}

/** The model name without its magic tokens, e.g. `gpt-4o-mini-fail-500` → `gpt-4o-mini`. */
export function stripMagicTokens(model: string): string {
  let stripped = model;
  for (const { pattern } of magicTokens) stripped = stripped.replace(new RegExp(pattern.source, 'gi'), '');
  return stripped;
}
