import type { Actor } from '../common/actor.js';
import { DomainError } from '../common/domain-error.js';
import type { RegistrySnapshot } from '../registry/registry-cache.js';
import type { Model } from './model.entity.js';

export interface RoutedModel {
  /** The model calls go to. */
  model: Model;
  /** The model the caller named. */
  requested: Model;
  /** True when a retired model's successor answers instead. */
  rerouted: boolean;
  /** Deprecation (RFC 9745), Sunset (RFC 8594) and Link headers for responses that named a deprecated model. */
  headers: Record<string, string>;
}

/**
 * Where a call naming a model goes. Active: there. Deprecated: there, with Deprecation/Sunset
 * headers — until its sunset, after which its successor answers (and the reply says so) or the
 * call is refused with 410. Inactive: refused.
 */
export function routeModel(snapshot: RegistrySnapshot, requested: Model, now = new Date()): RoutedModel {
  if (requested.status === 'inactive') {
    throw new DomainError(
      'bad_request',
      'model.inactive',
      `${requested.displayName} is inactive; ask an admin to activate it or use another model`,
    );
  }
  if (requested.status === 'active') return { model: requested, requested, rerouted: false, headers: {} };
  const headers = lifecycleHeaders(snapshot, requested);
  if (!requested.sunsetAt || requested.sunsetAt > now) return { model: requested, requested, rerouted: false, headers };
  const successor = requested.successorId ? snapshot.models.get(requested.successorId) : undefined;
  if (!successor || successor.status !== 'active') {
    throw new DomainError(
      'gone',
      'model.sunset',
      `${requested.displayName} was retired on ${requested.sunsetAt.toISOString().slice(0, 10)} and has no active successor`,
      {
        headers,
      },
    );
  }
  return { model: successor, requested, rerouted: true, headers: { ...headers, 'x-switchboard-routed-to': successor.displayName } };
}

function lifecycleHeaders(snapshot: RegistrySnapshot, model: Model): Record<string, string> {
  const headers: Record<string, string> = {
    deprecation: `@${Math.floor((model.deprecatedAt ?? model.updatedAt).getTime() / 1000)}`,
  };
  if (model.sunsetAt) headers.sunset = model.sunsetAt.toUTCString();
  const successor = model.successorId ? snapshot.models.get(model.successorId) : undefined;
  if (successor)
    headers.link = `</api/v1/models/${successor.id}>; rel="successor-version"; title="${successor.displayName.replace(/"/g, '')}"`;
  return headers;
}

/** For new conversations: only active models; a deprecated one is refused naming its successor. */
export function assertSelectable(snapshot: RegistrySnapshot, model: Model): void {
  if (model.status === 'active') return;
  const successor = model.successorId ? snapshot.models.get(model.successorId) : undefined;
  throw new DomainError(
    'bad_request',
    `model.${model.status}`,
    `${model.displayName} is ${model.status}${successor ? `; use its successor ${successor.displayName}` : ''}`,
    {
      errors: [{ field: 'model_id', message: `${model.displayName} is ${model.status}` }],
      extensions: successor ? { successor_id: successor.id } : {},
    },
  );
}

/** 403 when the caller is an API key limited to models that do not include this one. */
export function assertKeyMayCall(actor: Actor, model: Model, field = 'model'): void {
  if (!actor.models || actor.models.has(model.id)) return;
  throw new DomainError('forbidden', 'model_not_allowed', `This API key may not call ${model.displayName}`, {
    errors: [{ field, message: `${model.displayName} is not among the key's models` }],
  });
}
