import { createHash } from 'node:crypto';

/**
 * Deterministic stand-ins for what a model produces, exported so tests can compute the exact
 * reply, vector and token counts a fake will report.
 */

/** The fakes' tokenizer: one token per started group of four characters. */
export function estimateTokens(text: string): number {
  return Math.ceil(text.length / 4);
}

/** The assistant's answer to a conversation whose last user message is `lastUserText`. */
export function fakeReply(lastUserText: string): string {
  const prompt = lastUserText.trim().replace(/\s+/g, ' ');
  return prompt ? `This is a fake reply to: ${prompt}` : 'This is a fake reply.';
}

/** A request for a JSON reply, read from the provider's own field: `schema` when it names one. */
export interface JsonAsk {
  schema?: unknown;
}

/**
 * The answer a fake gives: `fakeReply`, or a JSON text when JSON was asked for. With a schema it is
 * an instance of it (each string the prompt's text, numbers 1, booleans true, arrays one item, the
 * first of an enum); without one, `{"answer": <the reply>}`.
 */
export function fakeAnswer(promptText: string, json: JsonAsk | undefined): string {
  if (!json) return fakeReply(promptText);
  return JSON.stringify(json.schema === undefined ? { answer: fakeReply(promptText) } : instanceOf(json.schema, promptText));
}

function instanceOf(schema: unknown, text: string): unknown {
  if (!isRecord(schema)) return null;
  if (Array.isArray(schema['enum'])) return schema['enum'][0];
  // Gemini's own schemas spell types in capitals.
  switch (String(schema['type']).toLowerCase()) {
    case 'object': {
      const properties = isRecord(schema['properties']) ? schema['properties'] : {};
      return Object.fromEntries(Object.entries(properties).map(([key, value]) => [key, instanceOf(value, text)]));
    }
    case 'array':
      return [instanceOf(schema['items'], text)];
    case 'string':
      return text;
    case 'integer':
    case 'number':
      return 1;
    case 'boolean':
      return true;
    default:
      return null;
  }
}

/**
 * The reply as a model capped at `maxTokens` would give it: cut to whole fake tokens, with
 * `truncated` telling the caller to report a length stop.
 */
export function limitReply(reply: string, maxTokens: number | undefined): { text: string; truncated: boolean } {
  if (maxTokens === undefined || maxTokens <= 0 || estimateTokens(reply) <= maxTokens) {
    return { text: reply, truncated: false };
  }
  return { text: reply.slice(0, maxTokens * 4), truncated: true };
}

/** Splits a reply into stream chunks: one word (with its trailing space) per chunk. */
export function replyChunks(reply: string): string[] {
  return reply.match(/\S+\s*/g) ?? [reply];
}

/** A unit vector of `dimensions` values derived only from the text (same text, same vector). */
export function fakeEmbedding(text: string, dimensions: number): number[] {
  const digest = createHash('sha256').update(text).digest();
  let state = digest.readUInt32LE(0) || 1;
  const values = new Array<number>(dimensions);
  let sumOfSquares = 0;
  for (let i = 0; i < dimensions; i++) {
    // xorshift32: cheap, deterministic, good enough to make distinct texts point different ways.
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    const value = state / 0xffffffff - 0.5;
    values[i] = value;
    sumOfSquares += value * value;
  }
  const norm = Math.sqrt(sumOfSquares) || 1;
  for (let i = 0; i < dimensions; i++) values[i] = values[i]! / norm;
  return values;
}

/** OpenAI's `encoding_format: "base64"`: little-endian float32 bytes, base64-encoded. */
export function embeddingToBase64(vector: readonly number[]): string {
  return Buffer.from(new Float32Array(vector).buffer).toString('base64');
}

/** Plain text from the content shapes the providers accept (string, or an array of parts/blocks). */
export function textOf(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) return content.map(textOf).filter(Boolean).join('\n');
  if (typeof content === 'object' && content !== null) {
    const record = content as Record<string, unknown>;
    if (typeof record['text'] === 'string') return record['text'];
    if (record['parts'] !== undefined) return textOf(record['parts']);
    if (record['content'] !== undefined) return textOf(record['content']);
  }
  return '';
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Prompt tokens of a request: the sum over every message's (and the system prompt's) text. */
export function promptTokens(texts: readonly string[]): number {
  return texts.reduce((sum, text) => sum + estimateTokens(text), 0);
}

/** Embedding inputs as the fakes count and hash them: strings as they are, token arrays as JSON. */
export function embeddingInputs(input: unknown): string[] | undefined {
  if (typeof input === 'string') return [input];
  if (!Array.isArray(input) || input.length === 0) return undefined;
  if (input.every((item) => typeof item === 'number')) return [JSON.stringify(input)];
  if (input.every((item) => typeof item === 'string')) return input as string[];
  if (input.every((item) => Array.isArray(item))) return input.map((item) => JSON.stringify(item));
  return undefined;
}

/** The call a fake model makes when offered tools: the chosen function, every string parameter set to the prompt. */
export interface FakeToolCall {
  name: string;
  arguments: string;
}

/** A function offered to a fake, as each provider's format carries it: a name and a JSON Schema of its parameters. */
export interface FakeFunction {
  name: unknown;
  parameters: unknown;
}

/** The call a fake makes: the function named `wanted`, else the first one; none when none is offered. */
export function fakeCall(functions: readonly FakeFunction[], wanted: unknown, promptText: string): FakeToolCall | undefined {
  const chosen = wanted === undefined ? functions[0] : functions.find((f) => f.name === wanted);
  if (!chosen || typeof chosen.name !== 'string') return undefined;
  const properties = isRecord(chosen.parameters) && isRecord(chosen.parameters['properties']) ? chosen.parameters['properties'] : {};
  const args = Object.fromEntries(
    Object.entries(properties).flatMap(([key, schema]) =>
      isRecord(schema) && String(schema['type']).toLowerCase() === 'string' ? [[key, promptText]] : [],
    ),
  );
  return { name: chosen.name, arguments: JSON.stringify(args) };
}

/**
 * The call for OpenAI-style `tools` and `tool_choice`: the named function, else the first; none
 * when `tool_choice` is "none".
 */
export function fakeToolCall(tools: unknown, toolChoice: unknown, promptText: string): FakeToolCall | undefined {
  if (!Array.isArray(tools) || toolChoice === 'none') return undefined;
  const functions = tools
    .filter(isRecord)
    .flatMap((t) => (t['type'] === 'function' && isRecord(t['function']) ? [t['function']] : []))
    .map((f) => ({ name: f['name'], parameters: f['parameters'] }));
  const wanted = isRecord(toolChoice) && isRecord(toolChoice['function']) ? toolChoice['function']['name'] : undefined;
  return fakeCall(functions, wanted, promptText);
}

/** A call's arguments in the pieces a fake streams them in, as providers stream JSON text. */
export function argumentPieces(json: string): string[] {
  return json.match(/.{1,8}/gs) ?? [];
}

/**
 * The id of a tool message that answers no call an earlier assistant message made, in the message
 * shape OpenAI and Cohere share (`tool_calls[].id`, `tool_call_id`); undefined when every one does.
 */
export function unansweredToolResult(messages: readonly Record<string, unknown>[]): { id: unknown } | undefined {
  const called = new Set<unknown>();
  for (const message of messages) {
    if (Array.isArray(message['tool_calls'])) for (const c of message['tool_calls'].filter(isRecord)) called.add(c['id']);
    if (message['role'] === 'tool' && !called.has(message['tool_call_id'])) return { id: message['tool_call_id'] };
  }
  return undefined;
}
