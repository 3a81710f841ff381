import type { Actor } from '../common/actor.js';
import { DomainError } from '../common/domain-error.js';
import { STATUS_BY_KIND } from '../common/problem.js';
import type { UsageEntry } from './usage-recorder.service.js';

/** Whom a call is charged to: the user, and the API key when one made it. */
export type UsageCaller = Pick<UsageEntry, 'userId' | 'apiKeyId'>;

export const callerOf = (actor: Actor): UsageCaller => ({ userId: actor.userId, apiKeyId: actor.type === 'api_key' ? actor.id : null });

/** The status and error class a failed call is recorded with (499: the caller hung up). */
export function failedCall(aborted: boolean, error: unknown): Pick<UsageEntry, 'statusCode' | 'errorClass'> {
  if (aborted) return { statusCode: 499, errorClass: 'client_closed' };
  const domain = error instanceof DomainError ? error : null;
  return {
    statusCode: domain ? STATUS_BY_KIND[domain.kind] : 500,
    errorClass: (domain?.options.extensions?.error_class as string) ?? domain?.code ?? 'internal_error',
  };
}
