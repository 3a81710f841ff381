import { Controller, Get, HttpCode, Param, Post, Req, Res, UseFilters } from '@nestjs/common';
import { ApiBody, ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
type SchemaObject = Extract<Parameters<typeof ApiBody>[0], { schema: unknown }>['schema'];

import type { FastifyReply, FastifyRequest } from 'fastify';
import { actorOf, Roles } from '../auth/roles.decorator.js';
import { closeSignal } from '../common/client-closed.js';
import { DomainError } from '../common/domain-error.js';
import { TurnPacer } from '../common/turn-pacer.js';
import { GatewayService } from './gateway.service.js';
import { OpenAiErrorFilter, toOpenAiError } from './openai-errors.js';

const OPENAI_FORMAT_ONLY =
  'Passed on as sent to providers that speak OpenAI’s format (OpenAI, Azure OpenAI, LiteLLM, OpenAI-compatible); ' +
  'refused (422, by name) for a model another kind of provider serves.';

const WITH_TOOLS =
  'Passed on as sent to providers that speak OpenAI’s format, translated for the other kinds ' +
  '(Ollama: tool_choice auto or none only; a choice that forces a call is refused, 422).';

const CHAT_BODY: SchemaObject = {
  type: 'object',
  required: ['model', 'messages'],
  description:
    'OpenAI’s chat completion request. Switchboard reads the members listed without a note and translates them for every ' +
    `provider kind; tools, tool_choice, tool calls and tool results: ${WITH_TOOLS} ` +
    `Other members (response_format, seed, logprobs, …): ${OPENAI_FORMAT_ONLY}`,
  additionalProperties: true,
  properties: {
    model: { type: 'string', description: 'A model’s display name (GET /v1/models)' },
    messages: {
      type: 'array',
      items: {
        type: 'object',
        required: ['role'],
        properties: {
          role: {
            type: 'string',
            enum: ['system', 'developer', 'user', 'assistant', 'tool'],
            description: `developer is sent as system. tool: ${WITH_TOOLS}`,
          },
          content: {
            oneOf: [{ type: 'string' }, { type: 'array', items: { type: 'object' } }],
            nullable: true,
            description:
              'A string or content parts; text parts are joined. In user messages, image_url parts with a data: URL reach every ' +
              `provider kind; images by URL and other parts: ${OPENAI_FORMAT_ONLY}`,
          },
          name: { type: 'string', description: OPENAI_FORMAT_ONLY },
          tool_calls: { type: 'array', items: { type: 'object' }, description: `On assistant messages. ${WITH_TOOLS}` },
          tool_call_id: { type: 'string', description: 'On tool messages: the call the result answers' },
        },
      },
    },
    stream: { type: 'boolean' },
    stream_options: { type: 'object', properties: { include_usage: { type: 'boolean' } } },
    max_tokens: { type: 'integer', description: 'Capped at the model’s max_output_tokens' },
    max_completion_tokens: { type: 'integer', description: 'Same as max_tokens' },
    temperature: { type: 'number' },
    top_p: { type: 'number' },
    stop: { oneOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }] },
    tools: { type: 'array', items: { type: 'object' }, description: `${WITH_TOOLS} Tools other than functions: ${OPENAI_FORMAT_ONLY}` },
    tool_choice: { oneOf: [{ type: 'string', enum: ['none', 'auto', 'required'] }, { type: 'object' }], description: WITH_TOOLS },
    response_format: {
      type: 'object',
      description:
        'json_schema (structured output) reaches every provider kind; json_object (JSON mode) every kind but Anthropic; ' +
        `other types: ${OPENAI_FORMAT_ONLY}`,
    },
    seed: { type: 'integer', description: 'Reaches every provider kind but Anthropic' },
    frequency_penalty: { type: 'number', minimum: -2, maximum: 2, description: 'Not for Anthropic, Ollama or Gemini 2.5 models' },
    presence_penalty: { type: 'number', minimum: -2, maximum: 2, description: 'Not for Anthropic, Ollama or Gemini 2.5 models' },
    n: { type: 'integer', minimum: 1, maximum: 128, description: `Above 1: ${OPENAI_FORMAT_ONLY}` },
    user: { type: 'string', description: 'Sent on where the provider takes it' },
  },
  example: { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Say hello' }] },
};

const EMBEDDINGS_BODY: SchemaObject = {
  type: 'object',
  required: ['model', 'input'],
  properties: {
    model: { type: 'string' },
    input: { oneOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }] },
    encoding_format: { type: 'string', enum: ['float', 'base64'] },
    dimensions: { type: 'integer' },
    user: { type: 'string' },
  },
  example: { model: 'text-embedding-3-small', input: ['first text', 'second text'] },
};

@ApiTags('openai-compatible')
@Controller('v1')
@Roles('admin', 'member')
@UseFilters(OpenAiErrorFilter)
export class GatewayController {
  constructor(
    private readonly gateway: GatewayService,
    private readonly pacer: TurnPacer,
  ) {}

  /** Served by fastify directly (direct-routes.ts): the class's roles and filter are applied there, not by Nest. */
  @Post('chat/completions')
  @HttpCode(200)
  @ApiOperation({
    summary: 'OpenAI-compatible chat completion (stream: true for SSE with a final usage chunk)',
    description: 'Errors use OpenAI’s `{error: {message, type, param, code}}` shape.',
  })
  @ApiBody({ schema: CHAT_BODY })
  @ApiProduces('application/json', 'text/event-stream')
  @ApiOkResponse({ description: 'A chat.completion, or chat.completion.chunk events ending with [DONE]' })
  async createChatCompletion(
    // The request itself rather than parameter decorators: those would run the global pipes on
    // every call, and OpenAI's request shapes are checked by the gateway's own parsers anyway.
    @Req() request: FastifyRequest,
    // Not passthrough: a streamed reply is hijacked, and Nest sending after that would cost an
    // FST_ERR_REP_ALREADY_SENT error (stack trace and all) per request. Whole replies are sent here.
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const signal = closeSignal(reply);
    const call = { actor: actorOf(request), signal };
    const { input, route } = await this.gateway.acceptChat(call, request.body);
    // Calls that waited on one shared lookup (a cold cache) resume together: spread their sends over turns.
    if (this.pacer.spent()) await this.pacer.turn();
    if (!input.stream) {
      const json = await this.gateway.complete(call, route, input);
      await reply.type('application/json; charset=utf-8').headers(route.headers).send(json);
      return;
    }
    const events = this.gateway.stream(call, route, input)[Symbol.asyncIterator]();
    // Open the upstream stream before answering, so a refusal is still a plain JSON error.
    const first = await events.next();
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
      'x-request-id': String(reply.request.id),
      ...route.headers,
    });
    // A batch (the events one upstream read completed) leaves in one write.
    const frames = (payloads: string[]) => payloads.map((data) => `data: ${data}\n\n`).join('');
    try {
      for (let next = first; !next.done; next = await events.next()) res.write(frames(next.value));
      res.write('data: [DONE]\n\n');
    } catch (error) {
      if (!signal.aborted) res.write(`data: ${JSON.stringify(toOpenAiError(error).body)}\n\n`);
    } finally {
      res.end();
    }
  }

  @Post('embeddings')
  @HttpCode(200)
  @ApiOperation({ summary: 'OpenAI-compatible embeddings (float or base64), batched by the model’s batch_size' })
  @ApiBody({ schema: EMBEDDINGS_BODY })
  @ApiOkResponse({ description: 'An OpenAI embeddings list' })
  async createEmbeddings(@Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply): Promise<object> {
    const call = { actor: actorOf(request), signal: closeSignal(reply) };
    const { input, route } = await this.gateway.acceptEmbeddings(call, request.body);
    if (this.pacer.spent()) await this.pacer.turn();
    const result = await this.gateway.embeddings(call, route, input);
    void reply.headers(route.headers);
    return result;
  }

  @Get('models')
  @ApiOperation({ summary: 'Models callable through the gateway (id = display name), with type, limits, pricing and deprecation' })
  @ApiOkResponse({
    description:
      'An OpenAI model list with extra fields: type, context_window, max_output_tokens, dimensions, capabilities, pricing, ' +
      'deprecated, sunset_at, successor',
  })
  listGatewayModels(@Req() request: FastifyRequest): Promise<object> {
    return this.gateway.models(actorOf(request));
  }

  @Get('models/:model')
  @ApiOperation({ summary: 'One model by name' })
  @ApiOkResponse({ description: 'An OpenAI model object with extra fields' })
  async getGatewayModel(@Req() request: FastifyRequest, @Param('model') name: string): Promise<object> {
    const found = (await this.gateway.models(actorOf(request))).data.find((m) => m.id.toLowerCase() === name.toLowerCase());
    if (!found) throw new DomainError('not_found', 'model_not_found', `The model ${name} does not exist`);
    return found;
  }
}
