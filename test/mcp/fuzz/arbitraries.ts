import fc from 'fast-check';

/**
 * fast-check arbitraries for tool arguments, generated from each tool's input JSON Schema (what
 * clients see in tools/list), mixed with hostile values: NUL, unpaired surrogates, bidi overrides,
 * zero-width and control characters, injection text, strings of 1 MB and just over each limit,
 * deep nesting, unknown argument names and wrong types.
 */

export type JsonSchema = {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  items?: JsonSchema;
  enum?: unknown[];
  const?: unknown;
  anyOf?: JsonSchema[];
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  minItems?: number;
  maxItems?: number;
  maxProperties?: number;
  format?: string;
};

const ONE_MB = 'm'.repeat(1024 * 1024);

/** Strings no boundary should let through to storage as they are, or that probe parsers downstream. */
export const HOSTILE_STRINGS: readonly string[] = [
  '', ' ', 'a\u0000b', '\u0000', '\ud800', 'x\udc00y', '\udbff', '\u202eevil', 'admin\u200b', '\u2066iso\u2069', '\u001b[31mred\u001b[0m', 'bell\u0007',
  '\ufeffbom', 'e\u0301', '😀', "'; drop table core.agents; --", "$$; select pg_sleep(10); $$", "') or 1=1 --", 'MATCH (n) DETACH DELETE n RETURN 1',
  '$cy$ RETURN 1 $cy$', '{{7*7}}', '${process.env}', '../../../etc/passwd', '%00', '\\u0000', 'null', 'undefined', '__proto__', 'constructor',
  ONE_MB,
];

/** A value nested `depth` levels deep (objects and arrays alternating). */
export function nested(depth: number): unknown {
  let v: unknown = 'leaf';
  for (let i = 0; i < depth; i++) v = i % 2 ? [v] : { d: v };
  return v;
}

const deepValues = [nested(33), nested(200), nested(5000)];

const hostileString = fc.constantFrom(...HOSTILE_STRINGS);
const jsonLeaf = fc.oneof(fc.string({ maxLength: 20 }), fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.boolean(), fc.constant(null), hostileString);
const jsonValue: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: 'small', withCrossShrink: true }, jsonLeaf, fc.array(tie('value'), { maxLength: 4 }), fc.dictionary(fc.oneof(fc.string({ maxLength: 8 }), hostileString), tie('value'), { maxKeys: 4 })),
})).value;

/** Something of the wrong kind for any field. */
const wrongType: fc.Arbitrary<unknown> = fc.oneof(jsonLeaf, fc.array(jsonLeaf, { maxLength: 3 }), fc.dictionary(fc.string({ maxLength: 5 }), jsonLeaf, { maxKeys: 3 }), fc.constantFrom(...deepValues));

function stringArb(schema: JsonSchema, known: readonly string[]): fc.Arbitrary<string> {
  const max = schema.maxLength;
  // mostly plausible values (so calls reach the handler and SQL), then hostile ones and limits
  const options: Array<fc.WeightedArbitrary<string>> = [
    { weight: 6, arbitrary: fc.string({ unit: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz0123456789_'), minLength: Math.max(1, schema.minLength ?? 0), maxLength: Math.min(max ?? 24, 24) }) },
    { weight: 2, arbitrary: fc.string({ minLength: schema.minLength ?? 0, maxLength: Math.min(max ?? 40, 40) }) },
    { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: Math.min(max ?? 20, 20) }) },
    { weight: 2, arbitrary: hostileString },
  ];
  if (known.length) options.push({ weight: 3, arbitrary: fc.constantFrom(...known) });
  if (max !== undefined && max <= 300_000) options.push({ weight: 1, arbitrary: fc.constantFrom('x'.repeat(max), 'x'.repeat(max + 1)) });
  if (schema.format === 'date-time') options.push({ weight: 8, arbitrary: fc.date({ noInvalidDate: true, min: new Date('1970-01-01T00:00:00Z'), max: new Date('2100-01-01T00:00:00Z') }).map((d) => d.toISOString()) });
  return fc.oneof(...options);
}

function numberArb(schema: JsonSchema, integer: boolean): fc.Arbitrary<number> {
  const min = schema.minimum ?? schema.exclusiveMinimum ?? -1e6;
  const max = schema.maximum ?? 1e6;
  const inRange = integer ? fc.integer({ min: Math.max(min, -(2 ** 31)), max: Math.min(max, 2 ** 31 - 1) }) : fc.double({ min, max, noNaN: true });
  return fc.oneof(
    { weight: 6, arbitrary: inRange },
    { weight: 1, arbitrary: fc.constantFrom(min, max, min - 1, max + 1, 0.5, -0, 2 ** 53, -(2 ** 53), Number.MAX_VALUE) },
    { weight: 1, arbitrary: fc.integer() },
  );
}

/** An arbitrary for one value of `schema`; `known` are ids worth trying for string fields. */
export function fromSchema(schema: JsonSchema, known: readonly string[], depth = 0): fc.Arbitrary<unknown> {
  if (schema.anyOf) return fc.oneof(...schema.anyOf.map((s) => fromSchema(s, known, depth + 1)));
  if (schema.enum) return fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...schema.enum) }, { weight: 1, arbitrary: hostileString });
  if (schema.const !== undefined) return fc.constant(schema.const);
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
  switch (type) {
    case 'string':
      return stringArb(schema, known);
    case 'integer':
      return numberArb(schema, true);
    case 'number':
      return numberArb(schema, false);
    case 'boolean':
      return fc.boolean();
    case 'array':
      return fc.oneof(
        { weight: 5, arbitrary: fc.array(schema.items ? fromSchema(schema.items, known, depth + 1) : jsonValue, { minLength: schema.minItems ?? 0, maxLength: Math.min((schema.maxItems ?? 4) + 1, 4) }) },
        { weight: 1, arbitrary: fc.constant(Array.from({ length: (schema.maxItems ?? 1000) + 1 }, (_, i) => (schema.items?.type === 'number' || schema.items?.type === 'integer' ? 0 : `v${i}`))) },
      );
    case 'object':
      if (schema.properties) return objectArb(schema, known, depth + 1);
      return fc.oneof(
        { weight: 6, arbitrary: fc.dictionary(fc.oneof(fc.string({ maxLength: 10 }), hostileString), jsonValue, { maxKeys: 6 }) },
        { weight: 1, arbitrary: fc.constantFrom(...deepValues.map((d) => ({ deep: d })), Object.fromEntries(Array.from({ length: (schema.maxProperties ?? 1000) + 1 }, (_, i) => [`k${i}`, i]))) },
      );
    default:
      return jsonValue;
  }
}

function objectArb(schema: JsonSchema, known: readonly string[], depth: number): fc.Arbitrary<Record<string, unknown>> {
  const props = Object.fromEntries(Object.entries(schema.properties ?? {}).map(([k, s]) => [k, fromSchema(s, known, depth)]));
  return fc.record(props, { requiredKeys: (schema.required ?? []).filter((k) => k in props) });
}

/**
 * Arguments for a tool: mostly schema-shaped (so calls reach the handler and SQL), sometimes with an
 * unknown argument, a wrong type, a missing required field, or identity fields. `fixed` is merged in
 * (e.g. the admin token for admin tools).
 */
export function toolArguments(
  input: JsonSchema,
  known: readonly string[],
  fixed: Record<string, unknown> = {},
  shape: (args: Record<string, unknown>, coin: boolean) => Record<string, unknown> = (a) => a,
): fc.Arbitrary<Record<string, unknown>> {
  const { api_key: _k, admin_token: _t, ...properties } = input.properties ?? {};
  const base = objectArb({ ...input, properties }, known, 0);
  const names = Object.keys(properties);
  const mutation = fc.oneof(
    { weight: 12, arbitrary: fc.constant((a: Record<string, unknown>) => a) },
    { weight: 1, arbitrary: fc.tuple(fc.oneof(fc.constantFrom('conditions', 'content', 'tag', 'discovery_type', 'agentId', 'limit_', 'x'), hostileString), jsonLeaf).map(([k, v]) => (a: Record<string, unknown>) => ({ ...a, [k]: v })) },
    { weight: 1, arbitrary: names.length ? fc.tuple(fc.constantFrom(...names), wrongType).map(([k, v]) => (a: Record<string, unknown>) => ({ ...a, [k]: v })) : fc.constant((a: Record<string, unknown>) => a) },
    { weight: 1, arbitrary: fc.constantFrom('api_key', 'admin_token').chain((k) => stringArb({ maxLength: 600 }, []).map((v) => (a: Record<string, unknown>) => ({ ...a, [k]: v }))) },
  );
  return fc.tuple(base, mutation, fc.boolean()).map(([args, mutate, coin]) => ({ ...mutate(shape(args, coin)), ...fixed }));
}
