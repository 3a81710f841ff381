import type { AuditChanges } from './audit-event.entity.js';

const SECRET_FIELD = /(api_?key|secret|token|authorization|credential|private_?key)$/i;
const PASSWORD_FIELD = /password/i;
/** Fields whose names look secret but carry only derived, non-sensitive facts. */
const NOT_SECRET = new Set([
  'has_api_key',
  'api_key_last4',
  'hasApiKey',
  'apiKeyLast4',
  'keep_api_key',
  'max_tokens',
  'maxTokens',
  'tokens',
]);

/** `****` + the last four characters; passwords show nothing at all. */
export function maskSecret(value: unknown, field = ''): string | null {
  if (value === null || value === undefined) return null;
  if (PASSWORD_FIELD.test(field)) return '********';
  const text = String(value);
  if (/^\*{4}[^*]{0,4}$/.test(text)) return text;
  return `****${text.length > 8 ? text.slice(-4) : ''}`;
}

export function isSecretField(field: string): boolean {
  return !NOT_SECRET.has(field) && (SECRET_FIELD.test(field) || PASSWORD_FIELD.test(field));
}

/** Replaces every secret-bearing field, at any depth, with its mask. */
export function maskSecrets<T>(value: T, field = ''): T {
  if (Array.isArray(value)) return value.map((v) => maskSecrets(v, field)) as T;
  if (value && typeof value === 'object' && !(value instanceof Date)) {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [
        k,
        isSecretField(k) && (typeof v !== 'object' || v === null) ? maskSecret(v, k) : maskSecrets(v, k),
      ]),
    ) as T;
  }
  return value;
}

/**
 * Before/after of the fields that differ (compared as JSON), secrets masked. Pass `undefined` as
 * `before` for a creation and as `after` for a deletion.
 */
export function diffChanges(before: object | undefined, after: object | undefined): AuditChanges {
  const changes: AuditChanges = {};
  const keys = new Set([...Object.keys(before ?? {}), ...Object.keys(after ?? {})]);
  for (const key of keys) {
    const b = normalise((before as Record<string, unknown> | undefined)?.[key]);
    const a = normalise((after as Record<string, unknown> | undefined)?.[key]);
    if (JSON.stringify(b) === JSON.stringify(a)) continue;
    const entry: { before?: unknown; after?: unknown } = {};
    if (before) entry.before = isSecretField(key) ? maskSecret(b, key) : maskSecrets(b, key);
    if (after) entry.after = isSecretField(key) ? maskSecret(a, key) : maskSecrets(a, key);
    changes[key] = entry;
  }
  return changes;
}

function normalise(value: unknown): unknown {
  return value === undefined ? null : JSON.parse(JSON.stringify(value));
}
