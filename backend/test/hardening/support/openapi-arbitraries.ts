import fc from 'fast-check';

export type Schema = Record<string, any>;
export interface OpenApiDoc {
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, Schema> };
}
export interface Operation {
  operationId: string;
  parameters?: { name: string; in: 'path' | 'query' | 'header'; required?: boolean; schema?: Schema }[];
  requestBody?: { content: Record<string, { schema: Schema }> };
  'x-roles'?: string[];
  'x-public'?: boolean;
}

/** Any small JSON value: what a careless or hostile client might send anywhere. */
export const junk: fc.Arbitrary<unknown> = fc.oneof(
  fc.constant(null),
  fc.boolean(),
  fc.integer(),
  fc.double({ noNaN: true }),
  fc.string({ maxLength: 30 }),
  fc.constantFrom(
    '',
    ' ',
    '0',
    '-1',
    'true',
    'null',
    '../../etc/passwd',
    "' OR 1=1 --",
    '<script>alert(1)</script>',
    '\u0000',
    '🚀'.repeat(5),
    'x'.repeat(5000),
  ),
  fc.array(fc.integer(), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 8 }), fc.integer(), { maxKeys: 3 }),
);

/**
 * Values for an OpenAPI schema: mostly plausible (so requests get past validation into the rules
 * behind it), sometimes out of range, of the wrong type, or with fields nobody declared.
 */
export function valueFor(schema: Schema | undefined, doc: OpenApiDoc, ids: string[], depth = 0): fc.Arbitrary<unknown> {
  if (!schema) return junk;
  if (schema.$ref) return valueFor(doc.components.schemas[schema.$ref.split('/').pop()!], doc, ids, depth);
  if (schema.oneOf) return fc.oneof(...schema.oneOf.map((s: Schema) => valueFor(s, doc, ids, depth)));
  if (depth > 4) return junk;
  const plausible = plausibleFor(schema, doc, ids, depth);
  const nullable = schema.nullable ? [fc.constant(null)] : [];
  return fc.oneof(
    { arbitrary: plausible, weight: 8 },
    { arbitrary: junk, weight: 1 },
    ...nullable.map((arbitrary) => ({ arbitrary, weight: 1 })),
  );
}

function plausibleFor(schema: Schema, doc: OpenApiDoc, ids: string[], depth: number): fc.Arbitrary<unknown> {
  if (schema.enum)
    return fc.oneof({ arbitrary: fc.constantFrom(...schema.enum), weight: 9 }, { arbitrary: fc.string({ maxLength: 10 }), weight: 1 });
  switch (schema.type) {
    case 'string':
      if (schema.format === 'uuid') return ids.length ? fc.oneof(fc.constantFrom(...ids), fc.uuid()) : fc.uuid();
      if (schema.format === 'date-time' || schema.format === 'date') {
        return fc.oneof(
          fc.date({ min: new Date('1990-01-01'), max: new Date('2100-01-01'), noInvalidDate: true }).map((d) => d.toISOString()),
          fc.constantFrom('2026-13-45', 'yesterday'),
        );
      }
      return fc.oneof(
        fc.string({ minLength: schema.minLength ?? 0, maxLength: Math.min(schema.maxLength ?? 40, 60) }),
        fc.constantFrom(
          'a',
          'admin@example.com',
          'http://127.0.0.1:9/v1',
          'https://169.254.169.254/latest',
          'gpt-4o-mini',
          'x'.repeat((schema.maxLength ?? 100) + 1),
        ),
      );
    case 'integer':
      return fc.oneof(
        fc.integer({ min: schema.minimum ?? -5, max: schema.maximum ?? 10_000 }),
        fc.constantFrom(-1, 0, 2 ** 31, Number.MAX_SAFE_INTEGER),
      );
    case 'number':
      return fc.oneof(fc.double({ min: schema.minimum ?? -10, max: schema.maximum ?? 10_000, noNaN: true }), fc.constantFrom(-0.5, 1e308));
    case 'boolean':
      return fc.boolean();
    case 'array':
      return fc.array(valueFor(schema.items, doc, ids, depth + 1), { maxLength: 4 });
    case 'object':
    default:
      return objectFor(schema, doc, ids, depth);
  }
}

function objectFor(schema: Schema, doc: OpenApiDoc, ids: string[], depth: number): fc.Arbitrary<unknown> {
  const properties: Record<string, Schema> = schema.properties ?? {};
  const required = new Set<string>(schema.required ?? []);
  const record: Record<string, fc.Arbitrary<unknown>> = {};
  for (const [name, prop] of Object.entries(properties)) record[name] = valueFor(prop, doc, ids, depth + 1);
  const declared = fc.record(record, { requiredKeys: Object.keys(record).filter((k) => required.has(k)) });
  // Now and then a field nobody declared (mass assignment) or a well-known sensitive one.
  const extra = fc.option(
    fc.tuple(fc.constantFrom('role', 'is_default', 'api_key_ciphertext', 'owner_id', 'password_hash', 'id', 'zzz'), junk),
    { freq: 8 },
  );
  return fc.tuple(declared, extra).map(([value, more]) => (more ? { ...(value as object), [more[0]]: more[1] } : value));
}
