import {
  jsonSchema,
  tool,
  type JSONSchema7,
  type ModelMessage,
  type OutputInterface,
  type ToolChoice as SdkToolChoice,
  type ToolSet,
} from 'ai';
import type { ChatMessage, ChatRequest, JsonResponseFormat, ToolCall } from '../upstream.types.js';

/** A chat request's prompt in the AI SDK's terms: system text apart, tool calls and results as typed parts. */
export function sdkPrompt(request: ChatRequest): {
  instructions?: string;
  messages: ModelMessage[];
  tools?: ToolSet;
  toolChoice?: SdkToolChoice<ToolSet>;
} {
  const system = request.messages.filter((m) => m.role === 'system').map((m) => m.content);
  // A tool result names only its call; the SDK's part also wants the tool's name.
  const toolNames = new Map(request.messages.flatMap((m) => m.toolCalls ?? []).map((c) => [c.id, c.name]));
  return {
    ...(system.length > 0 && { instructions: system.join('\n\n') }),
    messages: request.messages.filter((m) => m.role !== 'system').map((m) => modelMessage(m, toolNames)),
    ...(request.tools && { tools: toolSet(request) }),
    ...(request.toolChoice && {
      toolChoice: typeof request.toolChoice === 'string' ? request.toolChoice : { type: 'tool', toolName: request.toolChoice.name },
    }),
  };
}

function modelMessage(m: ChatMessage, toolNames: Map<string, string>): ModelMessage {
  if (m.role === 'user') {
    if (!m.parts) return { role: 'user', content: m.content };
    return {
      role: 'user',
      content: m.parts.map((p) => (p.type === 'text' ? p : { type: 'image' as const, image: p.data, mediaType: p.mediaType })),
    };
  }
  if (m.role === 'tool') {
    const toolCallId = m.toolCallId ?? '';
    return {
      role: 'tool',
      content: [{ type: 'tool-result', toolCallId, toolName: toolNames.get(toolCallId) ?? '', output: { type: 'text', value: m.content } }],
    };
  }
  if (!m.toolCalls?.length) return { role: 'assistant', content: m.content };
  return {
    role: 'assistant',
    content: [
      ...(m.content ? [{ type: 'text' as const, text: m.content }] : []),
      ...m.toolCalls.map((c) => ({ type: 'tool-call' as const, toolCallId: c.id, toolName: c.name, input: jsonOrText(c.arguments) })),
    ],
  };
}

/** Tools without `execute`: the SDK hands the model's calls back instead of running anything. */
function toolSet(request: ChatRequest): ToolSet {
  return Object.fromEntries(
    (request.tools ?? []).map((t) => [t.name, tool({ description: t.description, inputSchema: jsonSchema(t.parameters) })]),
  );
}

/** A call as the SDK reports it, with its arguments as JSON text again. */
export const toolCallOf = (call: { toolCallId: string; toolName: string; input: unknown }): ToolCall => ({
  id: call.toolCallId,
  name: call.toolName,
  arguments: typeof call.input === 'string' ? call.input : JSON.stringify(call.input ?? {}),
});

// Arguments that are not JSON go on as text; the provider says what it makes of them.
function jsonOrText(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/**
 * Asks the provider for JSON (its JSON mode, or its structured output when there is a schema) and
 * hands the reply's text back as it came: like OpenAI, the gateway does not parse or check it, so a
 * reply cut short by max_tokens reaches the client rather than failing the call.
 */
export function jsonText(format: JsonResponseFormat): OutputInterface<string, string, never> {
  return {
    name: 'json-text',
    responseFormat: Promise.resolve({
      type: 'json',
      ...(format.schema && { schema: format.schema as JSONSchema7 }),
      ...(format.name && { name: format.name }),
      ...(format.description && { description: format.description }),
    }),
    parseCompleteOutput: ({ text }) => Promise.resolve(text),
    parsePartialOutput: () => Promise.resolve(undefined),
    createElementStreamTransform: () => undefined,
  };
}
