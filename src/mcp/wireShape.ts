import { z } from 'zod';

/**
 * One casing on the wire: every tool's output uses snake_case field names, as tool names and inputs
 * do. Tools declare their output schema in whatever casing their domain objects have; the toolkit
 * derives the wire schema (`wireSchema`) and maps results through it (`toWire`), guided by the
 * declared schema: fields of declared objects are renamed, free values (records such as `details`,
 * `metadata`, graph rows) keep the keys their writer chose.
 */

/** `agentId` → `agent_id`; snake_case names stay as they are. */
export function snakeCase(key: string): string {
  return key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

type AnyZod = z.ZodType;

function def(schema: AnyZod): { type: string; [k: string]: unknown } {
  return (schema as unknown as { _zod: { def: { type: string; [k: string]: unknown } } })._zod.def;
}

function keepDescription(from: AnyZod, to: AnyZod): AnyZod {
  return from.description ? to.describe(from.description) : to;
}

/** The schema a client sees: the declared one with every declared object field renamed to snake_case. */
export function wireSchema(schema: AnyZod): AnyZod {
  const d = def(schema);
  switch (d.type) {
    case 'object': {
      const shape = (schema as z.ZodObject).shape as Record<string, AnyZod>;
      const out: Record<string, AnyZod> = {};
      for (const [key, value] of Object.entries(shape)) out[snakeCase(key)] = wireSchema(value);
      let obj: AnyZod = z.object(out);
      const catchall = d.catchall as AnyZod | undefined;
      if (catchall) obj = (obj as z.ZodObject).catchall(catchall);
      return keepDescription(schema, obj);
    }
    case 'array':
      return keepDescription(schema, z.array(wireSchema(d.element as AnyZod)));
    case 'optional':
      return keepDescription(schema, z.optional(wireSchema(d.innerType as AnyZod)));
    case 'nullable':
      return keepDescription(schema, z.nullable(wireSchema(d.innerType as AnyZod)));
    default:
      return schema;
  }
}

/** Maps a handler's result to the wire, guided by the declared output schema (see module doc). */
export function toWire(schema: AnyZod, value: unknown): unknown {
  if (value === null || value === undefined) return value;
  const d = def(schema);
  switch (d.type) {
    case 'object': {
      if (typeof value !== 'object' || Array.isArray(value) || value instanceof Date) return value;
      const shape = (schema as z.ZodObject).shape as Record<string, AnyZod>;
      const src = value as Record<string, unknown>;
      const out: Record<string, unknown> = {};
      for (const [key, fieldSchema] of Object.entries(shape)) {
        if (src[key] !== undefined) out[snakeCase(key)] = toWire(fieldSchema, src[key]);
      }
      if (d.catchall) {
        // declared open objects (e.g. a health check's extra figures) keep their extra members, renamed
        for (const [key, v] of Object.entries(src)) if (!(key in shape) && v !== undefined) out[snakeCase(key)] = v;
      }
      return out;
    }
    case 'array':
      return Array.isArray(value) ? value.map((v) => toWire(d.element as AnyZod, v)) : value;
    case 'optional':
    case 'nullable':
      return toWire(d.innerType as AnyZod, value);
    default:
      return value;
  }
}
