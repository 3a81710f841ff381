import type { FieldError } from '../common/domain-error.js';
import type { ChatMessage, ChatPart } from '../upstream/upstream.types.js';

/** A chat request's messages in the two forms the gateway sends on. */
export interface ParsedMessages {
  /** Text and tool calls, for providers reached through a translating adapter. */
  text: ChatMessage[];
  /**
   * What an OpenAI-format upstream gets: the client's messages with `developer` sent as `system` (for
   * servers that predate it) and text-only part lists joined; tool calls, images and names kept.
   */
  wire: Record<string, unknown>[];
}

const ROLES = new Set(['system', 'developer', 'user', 'assistant', 'tool']);
// Members of the assistant message an SDK hands back, echoed when a client appends it to its
// history: response-only metadata with nothing to send on.
const ECHOED = new Set(['annotations']);
const ECHOED_WHEN_NULL = new Set(['refusal', 'audio', 'function_call', 'tool_calls']);
// Members beyond role and content: passed on to OpenAI-format upstreams; tool calls translated for the others.
const WIRE_ONLY = new Set(['name', 'tool_calls', 'tool_call_id', 'refusal', 'audio', 'function_call']);

export const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Checks a chat request's messages. `errors` gets what is invalid anywhere; `openAiOnly` what only
 * an OpenAI-format upstream can take (images and other non-text parts, participant names), which
 * the gateway refuses by name when the model's provider is another kind. Tool calls and results
 * every kind takes (translated where need be).
 */
export function parseMessages(value: unknown, errors: FieldError[], openAiOnly: FieldError[]): ParsedMessages {
  const parsed: ParsedMessages = { text: [], wire: [] };
  if (!Array.isArray(value) || value.length === 0) {
    errors.push({ field: 'messages', message: 'messages must be a non-empty array' });
    return parsed;
  }
  for (let i = 0; i < value.length; i++) {
    const m: unknown = value[i];
    // The common case, checked without building anything: a text message of a role every provider knows.
    if (isPlain(m)) {
      const message = { role: m.role, content: m.content };
      parsed.text.push(message);
      parsed.wire.push(message);
      continue;
    }
    const field = `messages[${i}]`;
    if (!isObject(m) || typeof m.role !== 'string' || !ROLES.has(m.role)) {
      errors.push({ field: `${field}.role`, message: 'role must be system, developer, user, assistant or tool' });
      continue;
    }
    const role = m.role === 'developer' ? 'system' : m.role;
    const wire: Record<string, unknown> = { role };
    for (const key in m) {
      const member = m[key];
      if (key === 'role' || key === 'content' || ECHOED.has(key) || (member === null && ECHOED_WHEN_NULL.has(key))) continue;
      if (!WIRE_ONLY.has(key)) {
        errors.push({ field: `${field}.${key}`, code: 'unsupported_parameter', message: `${key} is not supported in a message` });
        continue;
      }
      const problem = memberProblem(key, member, role);
      if (problem) errors.push({ field: `${field}.${key}`, message: problem });
      else {
        wire[key] = member;
        if (key !== 'tool_calls' && key !== 'tool_call_id') openAiOnly.push({ field: `${field}.${key}`, message: `message ${key}s` });
      }
    }
    if (role === 'tool' && (typeof m.tool_call_id !== 'string' || !m.tool_call_id))
      errors.push({ field: `${field}.tool_call_id`, message: 'a tool message needs the tool_call_id it answers' });
    const content = contentOf(m.content, `${field}.content`, role, wire.tool_calls !== undefined, errors, openAiOnly);
    if (content === undefined) continue;
    wire.content = content.wire;
    parsed.wire.push(wire);
    parsed.text.push({
      role: role as ChatMessage['role'],
      content: content.text,
      ...(wire.tool_calls !== undefined && { toolCalls: (wire.tool_calls as OpenAiToolCall[]).map(toolCallOf) }),
      ...(role === 'tool' && { toolCallId: m.tool_call_id as string }),
      ...(content.parts && { parts: content.parts }),
    });
  }
  return parsed;
}

function isPlain(m: unknown): m is ChatMessage {
  if (!isObject(m) || typeof m.content !== 'string' || !(m.role === 'user' || m.role === 'system' || m.role === 'assistant')) return false;
  let members = 0;
  for (const _ in m) members++;
  return members === 2;
}

function contentOf(
  content: unknown,
  field: string,
  role: string,
  hasToolCalls: boolean,
  errors: FieldError[],
  openAiOnly: FieldError[],
): { text: string; wire: unknown; parts?: ChatPart[] } | undefined {
  if (typeof content === 'string') return { text: content, wire: content };
  if ((content === null || content === undefined) && role === 'assistant' && hasToolCalls) return { text: '', wire: null };
  if (!Array.isArray(content)) {
    errors.push({ field, message: 'content must be a string or a list of content parts' });
    return undefined;
  }
  const texts: string[] = [];
  const parts: ChatPart[] = [];
  let textOnly = true;
  let valid = true;
  content.forEach((part: unknown, j) => {
    const partField = `${field}[${j}]`;
    if (!isObject(part) || typeof part.type !== 'string') {
      valid = false;
      return errors.push({ field: partField, message: 'a content part must be an object with a type' });
    }
    if (part.type === 'text') {
      if (typeof part.text === 'string') return (texts.push(part.text), parts.push({ type: 'text', text: part.text }));
      valid = false;
      return errors.push({ field: `${partField}.text`, message: 'a text part needs its text' });
    }
    textOnly = false;
    if (role !== 'user') {
      valid = false;
      return errors.push({ field: partField, message: `${role} messages take text parts only` });
    }
    if (part.type === 'image_url' && !(isObject(part.image_url) && typeof part.image_url.url === 'string')) {
      valid = false;
      return errors.push({ field: `${partField}.image_url`, message: 'an image_url part needs image_url.url' });
    }
    // An image given as data travels to every kind; one given by URL only to OpenAI-format
    // upstreams, which fetch it themselves (an adapter would have Switchboard fetch it).
    const image = part.type === 'image_url' ? dataImage((part.image_url as { url: string }).url) : undefined;
    if (image) parts.push(image);
    else
      openAiOnly.push({ field: partField, message: part.type === 'image_url' ? 'images by URL (not data: URLs)' : `${part.type} parts` });
  });
  if (!valid) return undefined;
  const text = texts.join('');
  return textOnly ? { text, wire: text } : { text, wire: content, parts };
}

/** Why a member's value cannot be sent on, or null when it can. */
function memberProblem(key: string, value: unknown, role: string): string | null {
  switch (key) {
    case 'name':
      return typeof value === 'string' && value !== '' ? null : 'name must be a non-empty string';
    case 'tool_call_id':
      return role === 'tool' && typeof value === 'string' ? null : 'tool_call_id belongs on a tool message, as a string';
    case 'tool_calls':
      if (role !== 'assistant') return 'tool_calls belong on an assistant message';
      return Array.isArray(value) && value.length > 0 && value.every(isToolCall)
        ? null
        : 'tool_calls must be a list of {id, type: "function", function: {name, arguments}}';
    default:
      return role === 'assistant' ? null : `${key} belongs on an assistant message`;
  }
}

/** `data:image/png;base64,…` as an image part; anything else (an http URL, other encodings) is not one. */
function dataImage(url: string): ChatPart | undefined {
  const match = /^data:(image\/[\w.+-]+);base64,([A-Za-z0-9+/=\s]+)$/.exec(url);
  return match ? { type: 'image', mediaType: match[1]!, data: match[2]!.replace(/\s/g, '') } : undefined;
}

interface OpenAiToolCall {
  id: string;
  function: { name: string; arguments: string };
}

const toolCallOf = (c: OpenAiToolCall) => ({ id: c.id, name: c.function.name, arguments: c.function.arguments });

function isToolCall(call: unknown): boolean {
  return (
    isObject(call) &&
    typeof call.id === 'string' &&
    call.type === 'function' &&
    isObject(call.function) &&
    typeof call.function.name === 'string' &&
    typeof call.function.arguments === 'string'
  );
}
