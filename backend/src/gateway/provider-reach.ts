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
  if (refused.length === 0) return;
  const served = `${route.model.displayName} is served by ${kindSpec(route.kind).label}`;
  throw validationFailed(
    refused.map(({ field, message, reach }) => ({
      field,
      code: 'unsupported_parameter',
      message: `${message} reach only ${reach}; ${served}`,
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
