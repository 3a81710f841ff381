import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import type { LookupFunction } from 'node:net';
import { Agent, buildConnector, Headers, fetch as undiciFetch } from 'undici';
import { BlockedDestinationError, checkUrl, refusalFor, type DestinationPolicy } from './destination-policy.js';
import type { AdapterContext } from './adapters/upstream-adapter.js';
import { dispatchRequest, type UpstreamRequest, type UpstreamResponse } from './dispatch-request.js';
import { UpstreamError } from './upstream-error.js';
import type { UpstreamTarget } from './upstream.types.js';

/** Name resolution, injectable so tests can make a host name resolve to a metadata address. */
export type Resolver = (hostname: string) => Promise<LookupAddress[]>;

export const systemResolver: Resolver = (hostname) =>
  new Promise((resolve, reject) =>
    dnsLookup(hostname, { all: true, verbatim: true }, (error, addresses) => (error ? reject(error) : resolve(addresses))),
  );

/** Resolves a host name and refuses it when any address it resolves to is refused. */
export async function resolveChecked(hostname: string, policy: DestinationPolicy, resolver: Resolver): Promise<LookupAddress[]> {
  const addresses = await resolver(hostname);
  for (const { address } of addresses) {
    const refusal = refusalFor(address, hostname, policy);
    if (refusal) throw new BlockedDestinationError(refusal);
  }
  return addresses;
}

const MAX_REDIRECTS = 3;
const CREDENTIAL_HEADERS = ['authorization', 'api-key', 'x-api-key', 'x-goog-api-key', 'cookie', 'proxy-authorization'];

/**
 * A fetch for admin-supplied URLs. The address is checked where the socket is made: the lookup
 * refuses a host name that resolves to a refused address (so there is no window for DNS rebinding
 * between a check and the connect), and the connected peer is checked once more. Redirects are
 * followed by hand, each target checked, credentials dropped when the origin changes.
 */
export class GuardedFetch {
  private readonly agent: Agent;
  private readonly checkedUrls = new Map<string, URL>();

  constructor(
    private readonly policy: DestinationPolicy,
    private readonly resolver: Resolver = systemResolver,
  ) {
    const lookup: LookupFunction = (hostname, options, callback) => {
      resolveChecked(hostname, policy, resolver).then(
        (addresses) => {
          const wanted = options.family ? addresses.filter((a) => a.family === options.family) : addresses;
          const list = wanted.length > 0 ? wanted : addresses;
          if (options.all) (callback as (e: null, a: LookupAddress[]) => void)(null, list);
          else callback(null, list[0]!.address, list[0]!.family);
        },
        (error: NodeJS.ErrnoException) => callback(error, '', 0),
      );
    };
    const connectBase = buildConnector({ lookup, timeout: 10_000 });
    this.agent = new Agent({
      keepAliveTimeout: 10_000,
      connect: (options, callback) =>
        connectBase(options, (error, socket) => {
          if (error || !socket) return callback(error ?? new Error('no socket'), null);
          const refusal = socket.remoteAddress ? refusalFor(socket.remoteAddress, options.hostname, policy) : null;
          if (!refusal) return callback(null, socket);
          socket.destroy();
          callback(new BlockedDestinationError(refusal), null);
        }),
    });
  }

  /** Same signature as the global fetch, so SDKs can take it as their `fetch` option. */
  readonly fetch: typeof globalThis.fetch = async (input, init = {}) => {
    let url = checkUrl(typeof input === 'string' ? input : input instanceof URL ? input.href : (input as { url: string }).url, this.policy);
    let method = (init.method ?? 'GET').toUpperCase();
    let body = init.body;
    const headers = new Headers(init.headers as ConstructorParameters<typeof Headers>[0]);
    for (let hop = 0; ; hop++) {
      const response = await undiciFetch(url, {
        ...(init as object),
        method,
        body: body as never,
        headers,
        redirect: 'manual',
        dispatcher: this.agent,
      });
      const location = response.headers.get('location');
      if (response.status < 300 || response.status > 399 || !location) return response as unknown as Response;
      await response.body?.cancel().catch(() => undefined);
      if (hop >= MAX_REDIRECTS) {
        throw new UpstreamError(
          'invalid_response',
          `${url.host} redirected more than ${MAX_REDIRECTS} times: use the final URL as api_base`,
        );
      }
      const next = new URL(location, url);
      try {
        checkUrl(next.href, this.policy);
      } catch (error) {
        throw new BlockedDestinationError(`${url.host} redirected to ${next.host}, which is refused: ${(error as Error).message}`);
      }
      if (next.origin !== url.origin) for (const name of CREDENTIAL_HEADERS) headers.delete(name);
      if (response.status === 303 || ((response.status === 301 || response.status === 302) && method === 'POST')) {
        method = 'GET';
        body = undefined;
        headers.delete('content-type');
      } else if (body !== undefined && body !== null && typeof body !== 'string' && !(body instanceof Uint8Array)) {
        throw new UpstreamError('invalid_response', `${url.host} redirected to ${next.origin}: use that as api_base`);
      }
      url = next;
    }
  };

  /**
   * A plain request without redirects over the same guarded pool: the gateway's pass-through for
   * upstreams that already speak OpenAI's format (lighter than fetch).
   */
  async request(url: string, options: UpstreamRequest): Promise<UpstreamResponse> {
    return dispatchRequest(this.agent, this.checked(url), options);
  }

  /** checkUrl, remembered: a provider's endpoints are the same few URLs call after call (the policy is fixed per instance). */
  private checked(url: string): URL {
    let checked = this.checkedUrls.get(url);
    if (!checked) {
      checked = checkUrl(url, this.policy);
      if (this.checkedUrls.size >= 1000) this.checkedUrls.clear();
      this.checkedUrls.set(url, checked);
    }
    return checked;
  }

  /** What an adapter needs to call one provider through this guard. */
  context(target: UpstreamTarget): AdapterContext {
    return { target, fetch: this.fetch, request: (url, options) => this.request(url, options) };
  }

  async close(): Promise<void> {
    await this.agent.close();
  }
}
