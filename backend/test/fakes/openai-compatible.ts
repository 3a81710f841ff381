import {
  argumentPieces,
  embeddingInputs,
  embeddingToBase64,
  estimateTokens,
  fakeAnswer,
  fakeEmbedding,
  fakeToolCall,
  isRecord,
  type JsonAsk,
  limitReply,
  promptTokens,
  replyChunks,
  textOf,
  unansweredToolResult,
} from './content.js';
import { FakeServer, type FakeCall, type FakeModel } from './fake-server.js';

/**
 * The OpenAI wire format (chat completions, embeddings, model list), shared by the OpenAI /
 * OpenAI-compatible fake and the Azure OpenAI fake, which differ in paths, auth and error bodies.
 */
export abstract class OpenAiCompatibleFake extends FakeServer {
  /** The model a request addresses, or undefined after the subclass has answered 404. */
  protected abstract modelFor(call: FakeCall): FakeModel | undefined;

  /** Azure adds content-filter annotations; plain OpenAI has none. */
  protected contentFilterResults(): Record<string, unknown> | undefined {
    return undefined;
  }

  protected async chatCompletions(call: FakeCall): Promise<void> {
    const body = call.body;
    if (!isRecord(body) || !Array.isArray(body['messages']) || body['messages'].length === 0) {
      return this.sendError(call, 400, { message: "'messages' is a required property" });
    }
    const model = this.modelFor(call);
    if (!model) return;
    if (model.type !== 'generation') {
      return this.sendError(call, 400, {
        message: `${model.id} is not a chat model and thus not supported in the v1/chat/completions endpoint.`,
      });
    }
    const messages = body['messages'].filter(isRecord);
    if (unansweredToolResult(messages)) {
      return this.sendError(call, 400, {
        message: "Invalid parameter: messages with role 'tool' must be a response to a preceeding message with 'tool_calls'.",
      });
    }
    const inputTokens = promptTokens(messages.map((m) => textOf(m['content'])));
    if (inputTokens > model.contextWindow) {
      return this.sendError(call, 400, {
        message: `This model's maximum context length is ${model.contextWindow} tokens. However, your messages resulted in ${inputTokens} tokens. Please reduce the length of the messages.`,
        code: 'context_length_exceeded',
      });
    }
    // A tool's result is answered like a user's message; a user's message with tools offered gets a tool call.
    const prompt = [...messages].reverse().find((m) => m['role'] === 'user' || m['role'] === 'tool');
    const promptText = textOf(prompt?.['content']);
    const tool = prompt?.['role'] === 'user' ? fakeToolCall(body['tools'], body['tool_choice'], promptText) : undefined;
    const maxTokens = numberField(body, 'max_completion_tokens') ?? numberField(body, 'max_tokens');
    const { text, truncated } = tool ? { text: '', truncated: false } : limitReply(fakeAnswer(promptText, jsonAskOf(body)), maxTokens);
    const toolCall = tool && { id: this.nextId('call_'), type: 'function', function: tool };
    const outputTokens = estimateTokens(tool ? tool.name + tool.arguments : text);
    const usage = {
      prompt_tokens: inputTokens,
      completion_tokens: outputTokens,
      total_tokens: inputTokens + outputTokens,
      prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
      completion_tokens_details: { reasoning_tokens: 0, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 },
    };
    const finishReason = tool ? 'tool_calls' : truncated ? 'length' : 'stop';
    const modelName = typeof body['model'] === 'string' ? body['model'] : model.id;
    const common = {
      id: this.nextId('chatcmpl-'),
      created: Math.floor(Date.now() / 1000),
      model: modelName,
      system_fingerprint: 'fp_fake',
    };
    const filters = this.contentFilterResults();

    if (body['stream'] !== true) {
      return this.sendJson(call, {
        ...common,
        object: 'chat.completion',
        choices: [
          {
            index: 0,
            message: toolCall
              ? { role: 'assistant', content: null, tool_calls: [toolCall], refusal: null, annotations: [] }
              : { role: 'assistant', content: text, refusal: null, annotations: [] },
            logprobs: null,
            finish_reason: finishReason,
            ...(filters && { content_filter_results: filters }),
          },
        ],
        usage,
        service_tier: 'default',
        ...(filters && { prompt_filter_results: [{ prompt_index: 0, content_filter_results: filters }] }),
      });
    }

    const includeUsage = isRecord(body['stream_options']) && body['stream_options']['include_usage'] === true;
    const stream = this.openStream(call, 'sse');
    const chunk = (delta: Record<string, unknown>, finish: string | null) => ({
      ...common,
      object: 'chat.completion.chunk',
      choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
      ...(includeUsage && { usage: null }),
    });
    // Azure announces its prompt filtering in a first chunk with no choices.
    if (
      filters &&
      !(await stream.event({
        id: '',
        object: '',
        created: 0,
        model: '',
        choices: [],
        prompt_filter_results: [{ prompt_index: 0, content_filter_results: filters }],
      }))
    )
      return;
    if (toolCall) {
      // OpenAI names the call in its first chunk and streams the arguments' text after it.
      const named = { index: 0, ...toolCall, function: { name: toolCall.function.name, arguments: '' } };
      if (!(await stream.event(chunk({ role: 'assistant', content: null, tool_calls: [named], refusal: null }, null)))) return;
      for (const piece of argumentPieces(toolCall.function.arguments)) {
        if (!(await stream.event(chunk({ tool_calls: [{ index: 0, function: { arguments: piece } }] }, null)))) return;
      }
    } else {
      if (!(await stream.event(chunk({ role: 'assistant', content: '', refusal: null }, null)))) return;
      for (const piece of replyChunks(text)) {
        if (!(await stream.event(chunk({ content: piece }, null)))) return;
      }
    }
    if (!(await stream.event(chunk({}, finishReason)))) return;
    if (includeUsage && !(await stream.event({ ...common, object: 'chat.completion.chunk', choices: [], usage }))) return;
    if (await stream.raw('data: [DONE]\n\n')) stream.end();
  }

  protected embeddings(call: FakeCall): void {
    const body = call.body;
    const inputs = isRecord(body) ? embeddingInputs(body['input']) : undefined;
    if (!isRecord(body) || !inputs) {
      return this.sendError(call, 400, { message: "'input' must be a non-empty string or array of strings or token arrays" });
    }
    const model = this.modelFor(call);
    if (!model) return;
    if (model.type !== 'embedding' || !model.dimensions) {
      return this.sendError(call, 400, { message: `The model ${model.id} does not support embeddings.` });
    }
    const dimensions = numberField(body, 'dimensions') ?? model.dimensions;
    if (!Number.isInteger(dimensions) || dimensions < 1 || dimensions > model.dimensions) {
      return this.sendError(call, 400, { message: `Invalid 'dimensions': must be between 1 and ${model.dimensions}.` });
    }
    const format = body['encoding_format'] ?? 'float';
    if (format !== 'float' && format !== 'base64') {
      return this.sendError(call, 400, { message: "Invalid 'encoding_format': expected 'float' or 'base64'." });
    }
    const tokens = promptTokens(inputs);
    this.sendJson(call, {
      object: 'list',
      data: inputs.map((input, index) => {
        const vector = fakeEmbedding(input, dimensions);
        return { object: 'embedding', index, embedding: format === 'base64' ? embeddingToBase64(vector) : vector };
      }),
      model: typeof body['model'] === 'string' ? body['model'] : model.id,
      usage: { prompt_tokens: tokens, total_tokens: tokens },
    });
  }

  protected listModels(call: FakeCall): void {
    this.sendJson(call, { object: 'list', data: this.models.map((m) => this.modelEntry(m)) });
  }

  protected retrieveModel(call: FakeCall, id: string): void {
    const model = this.models.find((m) => m.id === id);
    if (!model) return this.sendError(call, 404, { message: `The model '${id}' does not exist`, code: 'model_not_found' });
    this.sendJson(call, this.modelEntry(model));
  }

  protected modelEntry(model: FakeModel): Record<string, unknown> {
    return { id: model.id, object: 'model', created: 1_700_000_000, owned_by: 'system' };
  }
}

function numberField(body: Record<string, unknown>, name: string): number | undefined {
  const value = body[name];
  return typeof value === 'number' ? value : undefined;
}

/** OpenAI's JSON mode (`json_object`) or structured output (`json_schema`). */
function jsonAskOf(body: Record<string, unknown>): JsonAsk | undefined {
  const format = body['response_format'];
  if (!isRecord(format)) return undefined;
  if (format['type'] === 'json_object') return {};
  if (format['type'] === 'json_schema' && isRecord(format['json_schema'])) return { schema: format['json_schema']['schema'] };
  return undefined;
}
