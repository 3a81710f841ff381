import { classifyStatus, contextOf, invalidResponse, type FailureContext } from '../error-classifier.js';
import type { UpstreamError } from '../upstream-error.js';
import type { AdapterContext } from './upstream-adapter.js';
import { extraHeaders } from './upstream-adapter.js';

const MAX_PAGES = 20;

/**
 * Plain JSON over the guarded fetch, for what the AI SDK has no call for (model lists, Ollama's
 * /api/show). Error answers are classified like SDK errors.
 */
export async function requestJson(
  ctx: AdapterContext,
  url: string,
  options: { headers?: Record<string, string>; body?: unknown; signal?: AbortSignal } = {},
): Promise<unknown> {
  const response = await ctx.fetch(url, {
    method: options.body === undefined ? 'GET' : 'POST',
    headers: {
      ...extraHeaders(ctx.target),
      accept: 'application/json',
      ...(options.body !== undefined && { 'content-type': 'application/json' }),
      ...options.headers,
    },
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
    signal: options.signal,
  });
  const text = await response.text();
  if (!response.ok) {
    throw classifyStatus(response.status, contextOf(ctx.target), text, Object.fromEntries(response.headers.entries()));
  }
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw invalidResponse(contextOf(ctx.target), 'JSON');
  }
}

/** Follows a list's page tokens (bounded, so a server that loops cannot keep us here). */
export async function allPages<T>(page: (token: string | undefined) => Promise<{ items: T[]; next?: string | null }>): Promise<T[]> {
  const items: T[] = [];
  let token: string | undefined;
  for (let i = 0; i < MAX_PAGES; i++) {
    const result = await page(token);
    items.push(...result.items);
    if (!result.next || result.next === token) break;
    token = result.next;
  }
  return items;
}

export const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

export const arrayOf = (value: unknown): Record<string, unknown>[] => (Array.isArray(value) ? value.filter(isRecord) : []);

export const numberOf = (value: unknown): number | undefined =>
  typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : undefined;

/** undici's response headers as one string per name. */
export function flatHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(', ') : (v ?? '')]));
}

/** A non-2xx undici answer, classified by its status and (the start of) its body. */
export async function refusedAnswer(
  response: { statusCode: number; headers: Record<string, string | string[] | undefined>; body: { text(): Promise<string> } },
  ctx: FailureContext,
): Promise<UpstreamError> {
  const text = (await response.body.text().catch(() => '')).slice(0, 4000);
  return classifyStatus(response.statusCode, ctx, text, flatHeaders(response.headers));
}
