import { type FieldError, validationFailed } from '../common/domain-error.js';
import type { ChatMessage, ChatRequest, JsonResponseFormat, ToolChoice, ToolDefinition } from '../upstream/upstream.types.js';
import { isObject, parseMessages } from './openai-messages.js';

/** What a translating adapter takes from a request as it is: limits, sampling, tools and the output's format. */
type TranslatedOptions = Pick<
  ChatRequest,
  | 'maxOutputTokens'
  | 'temperature'
  | 'topP'
  | 'stop'
  | 'tools'
  | 'toolChoice'
  | 'responseFormat'
  | 'seed'
  | 'frequencyPenalty'
  | 'presencePenalty'
>;

/**
 * A chat completion request: the members Switchboard acts on, and what it passes on to OpenAI-format
 * upstreams. Of the translated options, OpenAI's defaults (a penalty of 0, a text format) are left out.
 */
export interface ChatCompletionInput extends TranslatedOptions {
  model: string;
  /** Text and tool calls, for providers reached through a translating adapter. */
  messages: ChatMessage[];
  /** The messages as an OpenAI-format upstream gets them (see `parseMessages`). */
  wireMessages: Record<string, unknown>[];
  /** Members Switchboard does not act on (tools, response_format, seed, …): sent on as they came. */
  passThrough: Record<string, unknown>;
  /** What only an OpenAI-format upstream can take; refused by name when the model is served by another kind. */
  openAiOnly: FieldError[];
  stream: boolean;
  includeUsage: boolean;
}

export interface EmbeddingsInput {
  model: string;
  inputs: string[];
  encoding: 'float' | 'base64';
  dimensions?: number;
}

// Members Switchboard reads (and translates for every provider kind); the rest are passed on.
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
]);
// OpenAI's defaults, which clients and frameworks often send spelled out: asking for nothing, they
// need no provider that understands them.
const DEFAULTS: Record<string, unknown> = {
  n: 1,
  frequency_penalty: 0,
  presence_penalty: 0,
  logprobs: false,
  top_logprobs: 0,
  parallel_tool_calls: true,
};

function isDefault(key: string, value: unknown): boolean {
  if (key in DEFAULTS) return DEFAULTS[key] === value;
  if (key === 'response_format') return isObject(value) && value.type === 'text' && Object.keys(value).length === 1;
  if (key === 'logit_bias') return isObject(value) && Object.keys(value).length === 0;
  return false;
}

// Passed on as they came to OpenAI-format upstreams, translated by the other kinds' adapters.
const TOOL_KEYS = new Set(['tools', 'tool_choice']);
const SAMPLING_KEYS = new Set(['response_format', 'seed', 'frequency_penalty', 'presence_penalty']);
const EMBED_KEYS = new Set(['model', 'input', 'encoding_format', 'dimensions', 'user']);

/**
 * Validates an OpenAI chat completion body. Members Switchboard does not act on are passed on
 * verbatim to OpenAI-format upstreams, after a type check where their shape is well known
 * (tools, tool_choice, response_format, …). Function tools and tool_choice are also read for the
 * other kinds' adapters, which translate them; anything else those kinds are refused by name
 * (`openAiOnly`) rather than sent without it. `user` is the one exception: an end-user tag for
 * abuse monitoring, sent on where it can be and harmless to leave out elsewhere.
 */
export function parseChatCompletion(body: unknown): ChatCompletionInput {
  const errors: FieldError[] = [];
  const openAiOnly: FieldError[] = [];
  if (!isObject(body)) throw validationFailed([{ field: 'body', message: 'the body must be a JSON object' }]);
  const passThrough: Record<string, unknown> = {};
  for (const key in body) {
    const value = body[key];
    if (CHAT_KEYS.has(key) || value === undefined || value === null) continue;
    const problem = passThroughProblem(key, value);
    if (problem) {
      errors.push({ field: key, message: problem });
      continue;
    }
    passThrough[key] = value;
    if (key === 'tools' && (value as OpenAiTool[]).some((t) => t.type !== 'function'))
      openAiOnly.push({ field: key, message: 'tools other than functions' });
    else if (key === 'response_format' && !isDefault(key, value) && !jsonFormatOf(value))
      openAiOnly.push({ field: key, message: `response_format of type ${String((value as { type: unknown }).type)}` });
    else if (!TOOL_KEYS.has(key) && !SAMPLING_KEYS.has(key) && key !== 'user' && !isDefault(key, value))
      openAiOnly.push({ field: key, message: key });
  }
  if (typeof body.model !== 'string' || !body.model) errors.push({ field: 'model', message: 'model is required' });
  const messages = parseMessages(body.messages, errors, openAiOnly);
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
  if (errors.length) throw validationFailed(errors);
  return {
    model: body.model as string,
    messages: messages.text,
    wireMessages: messages.wire,
    passThrough,
    ...(passThrough.tools !== undefined && {
      tools: (passThrough.tools as OpenAiTool[]).filter((t) => t.type === 'function').map(toolDefinition),
    }),
    ...(passThrough.tool_choice !== undefined && { toolChoice: toolChoiceOf(passThrough.tool_choice) }),
    ...samplingOf(passThrough),
    openAiOnly,
    stream: body.stream === true,
    includeUsage: isObject(body.stream_options) && body.stream_options.include_usage === true,
    maxOutputTokens: maxTokens as number | undefined,
    temperature: body.temperature as number | undefined,
    topP: body.top_p as number | undefined,
    stop: stop as string[] | undefined,
  };
}

/** Why a passed-on member cannot go upstream as it is, or null; members not known here go unchecked. */
function passThroughProblem(key: string, value: unknown): string | null {
  switch (key) {
    case 'user':
      return typeof value === 'string' ? null : 'user must be a string';
    case 'n':
      return Number.isInteger(value) && (value as number) >= 1 && (value as number) <= 128 ? null : 'n must be an integer from 1 to 128';
    case 'tools':
      return Array.isArray(value) && value.length > 0 && value.every(isTool)
        ? null
        : 'tools must be a non-empty list of {type: "function", function: {name, parameters?}}';
    case 'tool_choice':
      return ['none', 'auto', 'required'].includes(value as string) || isObject(value)
        ? null
        : 'tool_choice must be none, auto, required or an object naming a tool';
    case 'parallel_tool_calls':
    case 'logprobs':
      return typeof value === 'boolean' ? null : `${key} must be a boolean`;
    case 'response_format':
      if (!isObject(value) || typeof value.type !== 'string') return 'response_format must be an object with a type';
      return value.type !== 'json_schema' || isJsonSchemaFormat(value.json_schema)
        ? null
        : 'response_format.json_schema must be an object with a name (letters, digits, _ and -, at most 64) and an optional schema object';
    case 'seed':
      return Number.isInteger(value) ? null : 'seed must be an integer';
    case 'top_logprobs':
      return Number.isInteger(value) && (value as number) >= 0 && (value as number) <= 20
        ? null
        : 'top_logprobs must be an integer from 0 to 20';
    case 'frequency_penalty':
    case 'presence_penalty':
      return typeof value === 'number' && value >= -2 && value <= 2 ? null : `${key} must be a number from -2 to 2`;
    default:
      return null;
  }
}

function isJsonSchemaFormat(format: unknown): boolean {
  return (
    isObject(format) &&
    typeof format.name === 'string' &&
    /^[\w-]{1,64}$/.test(format.name) &&
    (format.schema === undefined || isObject(format.schema)) &&
    (format.description === undefined || typeof format.description === 'string')
  );
}

/** The translated sampling members that ask for something: a penalty of 0 or a text format is OpenAI's default. */
function samplingOf(
  passThrough: Record<string, unknown>,
): Pick<ChatCompletionInput, 'responseFormat' | 'seed' | 'frequencyPenalty' | 'presencePenalty'> {
  const { response_format: format, seed, frequency_penalty: frequency, presence_penalty: presence } = passThrough;
  const responseFormat = jsonFormatOf(format);
  return {
    ...(responseFormat && { responseFormat }),
    ...(typeof seed === 'number' && { seed }),
    ...(typeof frequency === 'number' && frequency !== 0 && { frequencyPenalty: frequency }),
    ...(typeof presence === 'number' && presence !== 0 && { presencePenalty: presence }),
  };
}

/** OpenAI's JSON mode (`json_object`) or structured output (`json_schema`) in the adapters' terms; undefined for anything else. */
function jsonFormatOf(value: unknown): JsonResponseFormat | undefined {
  if (!isObject(value)) return undefined;
  if (value.type === 'json_object') return { type: 'json' };
  if (value.type !== 'json_schema') return undefined;
  const format = value.json_schema as { name: string; schema?: Record<string, unknown>; description?: string };
  return {
    type: 'json',
    name: format.name,
    ...(format.schema && { schema: format.schema }),
    ...(format.description && { description: format.description }),
  };
}

interface OpenAiTool {
  type: string;
  function?: { name: string; description?: unknown; parameters?: unknown };
}

function toolDefinition(tool: OpenAiTool): ToolDefinition {
  const f = tool.function!;
  return {
    name: f.name,
    ...(typeof f.description === 'string' && { description: f.description }),
    parameters: isObject(f.parameters) ? f.parameters : { type: 'object', properties: {} },
  };
}

function toolChoiceOf(choice: unknown): ToolChoice {
  if (typeof choice === 'string') return choice as ToolChoice;
  const named = (choice as { function?: { name?: unknown } }).function?.name;
  return typeof named === 'string' ? { name: named } : 'auto';
}

function isTool(tool: unknown): boolean {
  if (!isObject(tool) || typeof tool.type !== 'string') return false;
  if (tool.type !== 'function') return true;
  return isObject(tool.function) && typeof tool.function.name === 'string' && tool.function.name !== '';
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

function numberIn(value: unknown, field: string, min: number, max: number, errors: FieldError[]): void {
  if (value === undefined || value === null) return;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max)
    errors.push({ field, message: `${field} must be a number from ${min} to ${max}` });
}

/** OpenAI's base64 embedding encoding: little-endian float32 bytes. */
export function toBase64Floats(vector: number[]): string {
  return Buffer.from(new Float32Array(vector).buffer).toString('base64');
}
