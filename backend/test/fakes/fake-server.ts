import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { BEHAVIOUR_HEADER, behaviourFromModelName, parseBehaviour, stripMagicTokens, type FakeBehaviour } from './behaviour.js';
import { isRecord } from './content.js';
import { FakeStream, waitUnlessClosed, type StreamFormat } from './stream.js';
import type { ErrorDetails, ErrorReply, FakeCall, FakeModel, FakeModelType, FakeRoute, FakeServerOptions, LoggedRequest } from './types.js';

export type { ErrorDetails, ErrorReply, FakeCall, FakeModel, FakeModelType, FakeRoute, FakeServerOptions, LoggedRequest } from './types.js';

const CONTROL_PREFIX = '/__fake/';

/**
 * A fake upstream on plain node:http: routing, auth, behaviours, request log and the
 * JSON/SSE/NDJSON writers. Each provider subclass supplies its routes, auth check and error bodies.
 */
export abstract class FakeServer {
  abstract readonly provider: string;
  readonly requests: LoggedRequest[] = [];
  readonly models: FakeModel[];
  readonly apiKeys: ReadonlySet<string>;
  private readonly host: string;
  private readonly requestedPort: number;
  private readonly maxLoggedRequests: number;
  private server: Server | undefined;
  private port = 0;
  private defaultBehaviour: FakeBehaviour = {};
  private readonly queued: FakeBehaviour[] = [];
  private readonly flakyFailures = new Map<string, number>();
  private routeTable: FakeRoute[] | undefined;
  private sequence = 0;

  protected constructor(options: FakeServerOptions, defaults: { apiKeys: readonly string[]; models: readonly FakeModel[] }) {
    this.host = options.host ?? '127.0.0.1';
    this.requestedPort = options.port ?? 0;
    this.apiKeys = new Set(options.apiKeys ?? defaults.apiKeys);
    this.models = [...(options.models ?? defaults.models)];
    this.maxLoggedRequests = options.maxLoggedRequests ?? 1000;
  }

  protected abstract routes(): FakeRoute[];
  /** The provider's auth failure for this request (status and wording), or undefined when it may pass. */
  protected abstract authFailure(call: FakeCall): ({ status: number } & ErrorDetails) | undefined;
  /** The provider's error reply (status, body, extra headers) for a status. */
  protected abstract errorReply(status: number, details: ErrorDetails): ErrorReply;
  /** The provider's in-stream error frame; undefined makes a stream error drop the connection. */
  protected streamErrorFrame(_status: number): string | undefined {
    return undefined;
  }
  /** Provider spelling of model names that mean the same model (e.g. Ollama's `:latest`). */
  protected sameModel(catalogueId: string, requestedId: string): boolean {
    return catalogueId === requestedId;
  }

  /** Base URL, e.g. http://127.0.0.1:43127 (no trailing slash). */
  get url(): string {
    if (!this.server) throw new Error(`${this.provider} fake is not started`);
    return `http://${this.host}:${this.port}`;
  }

  async start(): Promise<this> {
    const server = createServer({ keepAlive: true }, (req, res) => {
      this.dispatch(req, res).catch((error: unknown) => {
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
        res.end(`fake ${this.provider} crashed: ${error instanceof Error ? error.stack : String(error)}`);
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.requestedPort, this.host, () => resolve());
    });
    this.server = server;
    this.port = (server.address() as AddressInfo).port;
    return this;
  }

  async close(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Applies to every request until changed or reset. */
  setBehaviour(behaviour: FakeBehaviour): void {
    this.defaultBehaviour = { ...behaviour };
  }

  /** Applies to the next `times` requests only, one each, on top of the default behaviour. */
  enqueue(behaviour: FakeBehaviour, times = 1): void {
    for (let i = 0; i < times; i++) this.queued.push({ ...behaviour });
  }

  /** Back to a well-behaved fake with an empty request log. */
  reset(): void {
    this.defaultBehaviour = {};
    this.queued.length = 0;
    this.flakyFailures.clear();
    this.requests.length = 0;
  }

  /** A catalogue model, or a stand-in for a magic model name (e.g. `fake-slow-300`). */
  findModel(requestedId: string | undefined): FakeModel | undefined {
    if (!requestedId) return undefined;
    const exact = this.models.find((m) => this.sameModel(m.id, requestedId));
    if (exact || !behaviourFromModelName(requestedId)) return exact;
    const base = stripMagicTokens(requestedId);
    const known = this.models.find((m) => this.sameModel(m.id, base));
    if (known) return { ...known, id: requestedId };
    const type: FakeModelType = /embed/i.test(requestedId) ? 'embedding' : 'generation';
    const template = this.models.find((m) => m.type === type);
    return { contextWindow: 8192, ...template, id: requestedId, type };
  }

  /** A short id unique within this fake, e.g. for `chatcmpl-…`. */
  protected nextId(prefix: string): string {
    this.sequence++;
    return `${prefix}${this.sequence.toString(36).padStart(8, '0')}`;
  }

  protected sendJson(call: FakeCall, body: unknown, status = 200, headers: Record<string, string> = {}): void {
    const json = JSON.stringify(body);
    const text = call.behaviour.malformed === 'body' ? json.slice(0, Math.floor(json.length / 2)) : json;
    call.res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
    if (call.behaviour.dropAfterChunks !== undefined) {
      call.res.write(text.slice(0, Math.floor(text.length / 2)), () => call.res.destroy());
      return;
    }
    call.res.end(text);
  }

  protected sendError(call: FakeCall, status: number, details: Omit<ErrorDetails, 'retryAfter'> = {}): void {
    const behaviour = call.behaviour;
    const retryAfter = behaviour.retryAfter === undefined && status === 429 ? 1 : (behaviour.retryAfter ?? undefined);
    const reply = this.errorReply(status, { ...details, retryAfter });
    const headers: Record<string, string> = { 'content-type': 'application/json', ...reply.headers };
    if (retryAfter !== undefined) headers['retry-after'] = String(retryAfter);
    call.res.writeHead(reply.status, headers).end(JSON.stringify(reply.body));
  }

  protected openStream(call: FakeCall, format: StreamFormat, headers: Record<string, string> = {}): FakeStream {
    const contentType = {
      sse: 'text/event-stream; charset=utf-8',
      ndjson: 'application/x-ndjson',
      'json-array': 'application/json; charset=UTF-8',
    }[format];
    call.res.writeHead(200, { 'content-type': contentType, 'cache-control': 'no-cache', ...headers });
    const errorStatus = call.behaviour.status && call.behaviour.status >= 400 ? call.behaviour.status : 500;
    return new FakeStream(call.res, call.behaviour, format, () => this.streamErrorFrame(errorStatus));
  }

  private async dispatch(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://fake.invalid');
    const rawBody = await readBody(req);
    const body = parseBody(rawBody);
    if (url.pathname.startsWith(CONTROL_PREFIX)) return this.control(req.method ?? 'GET', url.pathname, body, res);
    this.log(req, url, body);

    const matched = this.matchRoute(req.method ?? 'GET', url.pathname);
    const model = matched?.route.modelOf ? matched.route.modelOf(matched.params, body) : modelField(body);
    let behaviour: FakeBehaviour;
    try {
      behaviour = this.behaviourFor(req, model);
    } catch (error) {
      res.writeHead(400, { 'content-type': 'text/plain' }).end(`invalid ${BEHAVIOUR_HEADER}: ${(error as Error).message}`);
      return;
    }
    const call: FakeCall = {
      req,
      res,
      url,
      body,
      params: matched?.params ?? [],
      behaviour,
      header: (name) => headerValue(req, name),
    };

    if (!(await waitUnlessClosed(behaviour.latencyMs, res))) return;
    if (behaviour.hang) return;
    if (!matched) return this.sendError(call, 404, { message: `Invalid URL (${call.req.method} ${url.pathname})` });
    const authFailure = this.authFailure(call);
    if (authFailure) return this.sendError(call, authFailure.status, { message: authFailure.message, code: authFailure.code });
    if (behaviour.status !== undefined && behaviour.status >= 400 && behaviour.streamErrorAfterChunks === undefined) {
      if (this.shouldFail(behaviour, model ?? url.pathname)) return this.sendError(call, behaviour.status);
    }
    await matched.route.handle(call);
  }

  private matchRoute(method: string, path: string) {
    this.routeTable ??= this.routes();
    for (const route of this.routeTable) {
      if (route.method !== method) continue;
      const match = route.path.exec(path);
      if (match) return { route, params: match.slice(1).map((p) => (p === undefined ? '' : decodeURIComponent(p))) };
    }
    return undefined;
  }

  private behaviourFor(req: IncomingMessage, model: string | undefined): FakeBehaviour {
    const header = headerValue(req, BEHAVIOUR_HEADER);
    const fromHeader = header ? parseBehaviour(JSON.parse(header)) : undefined;
    return { ...this.defaultBehaviour, ...this.queued.shift(), ...fromHeader, ...behaviourFromModelName(model) };
  }

  private shouldFail(behaviour: FakeBehaviour, key: string): boolean {
    if (behaviour.flaky === undefined) return true;
    const failures = this.flakyFailures.get(key) ?? 0;
    if (failures >= behaviour.flaky) return false;
    this.flakyFailures.set(key, failures + 1);
    return true;
  }

  private log(req: IncomingMessage, url: URL, body: unknown): void {
    if (this.maxLoggedRequests <= 0) return;
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(req.headers)) {
      if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
    }
    this.requests.push({
      method: req.method ?? 'GET',
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      headers,
      body,
      receivedAt: Date.now(),
    });
    if (this.requests.length > this.maxLoggedRequests) this.requests.shift();
  }

  /** Control endpoints for callers in another process (Playwright, benchmarks). */
  private control(method: string, path: string, body: unknown, res: ServerResponse): void {
    const reply = (status: number, payload: unknown) =>
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(payload));
    try {
      const action = `${method} ${path.slice(CONTROL_PREFIX.length)}`;
      if (action === 'GET requests') {
        reply(200, { requests: this.requests });
      } else if (action === 'POST reset') {
        this.reset();
        reply(200, { ok: true });
      } else if (action === 'PUT behaviour' || action === 'POST behaviour') {
        this.setBehaviour(parseBehaviour(body));
        reply(200, { ok: true });
      } else if (action === 'POST enqueue' && isRecord(body)) {
        this.enqueue(parseBehaviour(body['behaviour']), typeof body['times'] === 'number' ? body['times'] : 1);
        reply(200, { ok: true });
      } else {
        reply(404, { error: `no fake control endpoint ${method} ${path}` });
      }
    } catch (error) {
      reply(400, { error: (error as Error).message });
    }
  }
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function parseBody(raw: string): unknown {
  if (raw === '') return undefined;
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    return raw;
  }
}

function headerValue(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name.toLowerCase()];
  return Array.isArray(value) ? value.join(', ') : value;
}

function modelField(body: unknown): string | undefined {
  return isRecord(body) && typeof body['model'] === 'string' ? body['model'] : undefined;
}
