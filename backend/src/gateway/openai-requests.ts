import { type FieldError, validationFailed } from '../common/domain-error.js';
import type { ChatMessage } from '../upstream/upstream.types.js';

/** The chat completion request members Switchboard acts on; anything else is refused by name. */
export interface ChatCompletionInput {
  model: string;
  messages: ChatMessage[];
  stream: boolean;
  includeUsage: boolean;
  maxOutputTokens?: number;
  temperature?: number;
  topP?: number;
  stop?: string[];
}

export interface EmbeddingsInput {
  model: string;
  inputs: string[];
  encoding: 'float' | 'base64';
  dimensions?: number;
}

const CHAT_KEYS = new Set([
  'model',
  'messages',
  'stream',
  'stream_options',
  'max_tokens',
  'max_completion_tokens',
  'temperature',
  'top_p',
  'stop',
  'n',
  'user',
]);
const EMBED_KEYS = new Set(['model', 'input', 'encoding_format', 'dimensions', 'user']);
const ROLES = new Set(['system', 'developer', 'user', 'assistant']);

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Validates an OpenAI chat completion body. Members Switchboard cannot honour for every provider
 * (tools, images, logprobs, …) are refused with their name rather than silently dropped.
 */
export function parseChatCompletion(body: unknown): ChatCompletionInput {
  const errors: FieldError[] = [];
  if (!isObject(body)) throw validationFailed([{ field: 'body', message: 'the body must be a JSON object' }]);
  for (const key of Object.keys(body)) {
    if (!CHAT_KEYS.has(key)) errors.push({ field: key, code: 'unsupported_parameter', message: `${key} is not supported by this gateway` });
  }
  if (typeof body.model !== 'string' || !body.model) errors.push({ field: 'model', message: 'model is required' });
  const messages: ChatMessage[] = [];
  if (!Array.isArray(body.messages) || body.messages.length === 0) {
    errors.push({ field: 'messages', message: 'messages must be a non-empty array' });
  } else {
    body.messages.forEach((m: unknown, i) => {
      const field = `messages[${i}]`;
      if (!isObject(m) || typeof m.role !== 'string' || !ROLES.has(m.role)) {
        return errors.push({ field: `${field}.role`, message: 'role must be system, developer, user or assistant' });
      }
      const content = textOf(m.content);
      if (content === null) return errors.push({ field: `${field}.content`, message: 'content must be a string or a list of text parts' });
      messages.push({ role: m.role === 'developer' ? 'system' : (m.role as ChatMessage['role']), content });
    });
  }
  if (body.n !== undefined && body.n !== 1) errors.push({ field: 'n', message: 'only n = 1 is supported' });
  if (body.stream !== undefined && typeof body.stream !== 'boolean') errors.push({ field: 'stream', message: 'stream must be a boolean' });
  const maxTokens = body.max_completion_tokens ?? body.max_tokens;
  if (maxTokens !== undefined && (!Number.isInteger(maxTokens) || (maxTokens as number) < 1)) {
    errors.push({
      field: body.max_completion_tokens !== undefined ? 'max_completion_tokens' : 'max_tokens',
      message: 'must be a positive integer',
    });
  }
  numberIn(body.temperature, 'temperature', 0, 2, errors);
  numberIn(body.top_p, 'top_p', 0, 1, errors);
  const stop = body.stop === undefined || body.stop === null ? undefined : typeof body.stop === 'string' ? [body.stop] : body.stop;
  if (stop !== undefined && (!Array.isArray(stop) || stop.length > 4 || !stop.every((s) => typeof s === 'string'))) {
    errors.push({ field: 'stop', message: 'stop must be a string or up to 4 strings' });
  }
  if (body.stream_options !== undefined && !isObject(body.stream_options))
    errors.push({ field: 'stream_options', message: 'stream_options must be an object' });
  if (body.user !== undefined && typeof body.user !== 'string') errors.push({ field: 'user', message: 'user must be a string' });
  if (errors.length) throw validationFailed(errors);
  return {
    model: body.model as string,
    messages,
    stream: body.stream === true,
    includeUsage: isObject(body.stream_options) && body.stream_options.include_usage === true,
    maxOutputTokens: maxTokens as number | undefined,
    temperature: body.temperature as number | undefined,
    topP: body.top_p as number | undefined,
    stop: stop as string[] | undefined,
  };
}

export function parseEmbeddings(body: unknown): EmbeddingsInput {
  const errors: FieldError[] = [];
  if (!isObject(body)) throw validationFailed([{ field: 'body', message: 'the body must be a JSON object' }]);
  for (const key of Object.keys(body)) {
    if (!EMBED_KEYS.has(key))
      errors.push({ field: key, code: 'unsupported_parameter', message: `${key} is not supported by this gateway` });
  }
  if (typeof body.model !== 'string' || !body.model) errors.push({ field: 'model', message: 'model is required' });
  const inputs = typeof body.input === 'string' ? [body.input] : body.input;
  if (
    !Array.isArray(inputs) ||
    inputs.length === 0 ||
    inputs.length > 2048 ||
    !inputs.every((s) => typeof s === 'string' && s.length > 0)
  ) {
    errors.push({
      field: 'input',
      message: 'input must be a non-empty string or a list of up to 2048 non-empty strings (token arrays are not supported)',
    });
  }
  if (body.encoding_format !== undefined && body.encoding_format !== 'float' && body.encoding_format !== 'base64') {
    errors.push({ field: 'encoding_format', message: 'encoding_format must be float or base64' });
  }
  if (body.dimensions !== undefined && (!Number.isInteger(body.dimensions) || (body.dimensions as number) < 1)) {
    errors.push({ field: 'dimensions', message: 'dimensions must be a positive integer' });
  }
  if (errors.length) throw validationFailed(errors);
  return {
    model: body.model as string,
    inputs: inputs as string[],
    encoding: body.encoding_format === 'base64' ? 'base64' : 'float',
    dimensions: body.dimensions as number | undefined,
  };
}

function textOf(content: unknown): string | null {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return null;
  const parts = content.map((p: unknown) => (isObject(p) && p.type === 'text' && typeof p.text === 'string' ? p.text : null));
  return parts.every((p) => p !== null) ? parts.join('') : null;
}

function numberIn(value: unknown, field: string, min: number, max: number, errors: FieldError[]): void {
  if (value === undefined || value === null) return;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max)
    errors.push({ field, message: `${field} must be a number from ${min} to ${max}` });
}

/** OpenAI's base64 embedding encoding: little-endian float32 bytes. */
export function toBase64Floats(vector: number[]): string {
  return Buffer.from(new Float32Array(vector).buffer).toString('base64');
}
