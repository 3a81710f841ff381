import { validationFailed } from '../common/domain-error.js';
import { kindSpec, type ProviderKind } from '../providers/provider-kinds.js';
import { isRelayable, relayableLabels } from '../upstream/relay.js';
import type { ToolChoice, ToolDefinition } from '../upstream/upstream.types.js';
import type { GatewayRoute } from './gateway-usage.js';
import type { ChatCompletionInput } from './openai-requests.js';

/**
 * Kinds whose adapter translates OpenAI's tools, tool calls and tool results (the AI SDK's, checked
 * against these providers' fakes), and whether the provider can be made to call one: Ollama has
 * no tool_choice, its models call a tool or not as they see fit.
 */
const TRANSLATES_TOOLS: ReadonlyMap<ProviderKind, { forcesCalls: boolean }> = new Map([
  ['anthropic', { forcesCalls: true }],
  ['gemini', { forcesCalls: true }],
  ['ollama', { forcesCalls: false }],
]);

/**
 * What a request asks beyond text reaches a provider that can take it, or the request is refused
 * by name, with the provider's kind, rather than sent on without it.
 */
export function reachesProvider(input: ChatCompletionInput, route: GatewayRoute): void {
  if (isRelayable(route.kind)) return;
  const tools = TRANSLATES_TOOLS.get(route.kind);
  const openAiFormat = `providers that speak OpenAI's format (${relayableLabels()})`;
  const labels = (forcing: boolean) =>
    [...TRANSLATES_TOOLS]
      .filter(([, can]) => can.forcesCalls || !forcing)
      .map(([kind]) => kindSpec(kind).label)
      .join(', ');
  const forced = input.toolChoice === 'required' || typeof input.toolChoice === 'object';
  const refused = [
    ...(tools ? [] : input.needs.tools.map((f) => ({ ...f, reach: `${openAiFormat} and ${labels(false)}` }))),
    ...(tools && !tools.forcesCalls && forced
      ? [{ field: 'tool_choice', message: 'tool_choice that forces a call', reach: `${openAiFormat} and ${labels(true)}` }]
      : []),
    ...input.needs.openAiFormat.map((f) => ({ ...f, reach: openAiFormat })),
  ];
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
  if (TRANSLATES_TOOLS.get(kind)?.forcesCalls !== false) return { tools: input.tools, toolChoice: input.toolChoice };
  return input.toolChoice === 'none' ? {} : { tools: input.tools };
}
