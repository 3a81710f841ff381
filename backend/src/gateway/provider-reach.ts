import { validationFailed } from '../common/domain-error.js';
import { kindSpec, type ProviderKind } from '../providers/provider-kinds.js';
import { isRelayable, relayableLabels } from '../upstream/relay.js';
import type { ToolChoice, ToolDefinition } from '../upstream/upstream.types.js';
import type { GatewayRoute } from './gateway-usage.js';
import type { ChatCompletionInput } from './openai-requests.js';

/** Kinds that have no tool_choice: their models call a tool or not as they see fit. */
const UNFORCED_TOOL_CALLS: ReadonlySet<ProviderKind> = new Set(['ollama']);

/**
 * What a request asks beyond text and tools reaches a provider that can take it, or the request is
 * refused by name, with the provider's kind, rather than sent on without it.
 */
export function reachesProvider(input: ChatCompletionInput, route: GatewayRoute): void {
  if (isRelayable(route.kind)) return;
  const refused = input.openAiOnly.map((f) => ({ ...f, reach: `providers that speak OpenAI's format (${relayableLabels()})` }));
  if (UNFORCED_TOOL_CALLS.has(route.kind) && (input.toolChoice === 'required' || typeof input.toolChoice === 'object')) {
    refused.push({
      field: 'tool_choice',
      message: 'tool_choice that forces a call',
      reach: `providers other than ${kindSpec(route.kind).label}`,
    });
  }
  refused.push(...untranslatedSampling(input, route));
  if (refused.length === 0) return;
  const served = `${route.model.displayName} is served by ${kindSpec(route.kind).label}`;
  throw validationFailed(
    refused.map(({ field, message, reach }) => ({
      field,
      code: 'unsupported_parameter',
      message: `${message}: sent only to ${reach}; ${served}`,
    })),
  );
}

/**
 * The tools a translating adapter gets. Where calls cannot be forced, "auto" is what the provider
 * does anyway and "none" is honoured by offering no tools.
 */
export function translatedTools(input: ChatCompletionInput, kind: ProviderKind): { tools?: ToolDefinition[]; toolChoice?: ToolChoice } {
  if (!UNFORCED_TOOL_CALLS.has(kind)) return { tools: input.tools, toolChoice: input.toolChoice };
  return input.toolChoice === 'none' ? {} : { tools: input.tools };
}

// The AI SDK's Google provider drops penalties for Gemini 2.5 models on the Developer API (their
// API refuses them); it tells these models apart by this pattern.
const GEMINI_25 = /(^|[/.])gemini-2\.5(?:[.-]|$)/i;

/**
 * Sampling members a kind's adapter would drop (the AI SDK warns and sends the call without them):
 * Anthropic has no seed, no penalties and no JSON mode without a schema; Gemini 2.5 no penalties;
 * Ollama's provider package sends no penalties.
 */
function untranslatedSampling(input: ChatCompletionInput, route: GatewayRoute): { field: string; message: string; reach: string }[] {
  const penalties = [
    ...(input.frequencyPenalty !== undefined ? ['frequency_penalty'] : []),
    ...(input.presencePenalty !== undefined ? ['presence_penalty'] : []),
  ];
  const reach = `providers other than ${kindSpec(route.kind).label}`;
  // The Ollama provider package sends only the options it knows, and penalties are not among them.
  if (route.kind === 'ollama') return penalties.map((field) => ({ field, message: field, reach }));
  if (route.kind === 'anthropic') {
    return [
      ...[...(input.seed !== undefined ? ['seed'] : []), ...penalties].map((field) => ({ field, message: field, reach })),
      ...(input.responseFormat && !input.responseFormat.schema
        ? [{ field: 'response_format', message: 'response_format json_object (JSON mode without a schema)', reach }]
        : []),
    ];
  }
  if (route.kind === 'gemini' && GEMINI_25.test(route.model.modelId)) {
    return penalties.map((field) => ({ field, message: field, reach: 'Gemini models other than 2.5' }));
  }
  return [];
}
