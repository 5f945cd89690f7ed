import type { z } from 'zod';
import type { LossRecorder } from '../loss-report';

/**
 * Fields a 2.3.0 object carries that the 2.3.0 text does not document. 2.3.0 receivers must accept
 * them and the hub passes them on between 2.3.0 partners (the sender's original is kept); OCPI 2.2.1
 * has no such rule, so on the way to the hub form they are left out and each is named as a loss.
 * The walk follows the 2.3.0 zod schema: a key its object schema does not name is undocumented.
 */

interface Def {
  type: string;
  innerType?: z.ZodType;
  in?: z.ZodType;
  shape?: Record<string, z.ZodType>;
  element?: z.ZodType;
}

const defOf = (schema: z.ZodType): Def => (schema as unknown as { _zod: { def: Def } })._zod.def;

const WRAPPERS = new Set(['optional', 'nullable', 'default', 'prefault', 'readonly', 'nonoptional', 'catch']);

function unwrap(schema: z.ZodType): Def {
  let def = defOf(schema);
  for (;;) {
    if (WRAPPERS.has(def.type) && def.innerType) def = defOf(def.innerType);
    else if (def.type === 'pipe' && def.in) def = defOf(def.in);
    else return def;
  }
}

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

export const joinPath = (base: string, key: string | number): string =>
  typeof key === 'number' ? `${base}[${key}]` : base ? `${base}.${key}` : key;

/** A copy of `value` with only the fields `schema` documents; each field left out is recorded. */
export function withoutUndocumentedFields<T>(schema: z.ZodType, value: T, path: string, losses: LossRecorder): T {
  return strip(schema, value, path, losses) as T;
}

function strip(schema: z.ZodType, value: unknown, path: string, losses: LossRecorder): unknown {
  const def = unwrap(schema);
  if (def.type === 'object' && def.shape && isPlainObject(value)) {
    const out: Record<string, unknown> = {};
    for (const [key, field] of Object.entries(value)) {
      const fieldSchema = def.shape[key];
      const fieldPath = joinPath(path, key);
      if (!fieldSchema) {
        losses.record(fieldPath, 'field_dropped', `"${key}" is not documented in OCPI 2.3.0; it is passed on to 2.3.0 receivers only`);
        continue;
      }
      out[key] = strip(fieldSchema, field, fieldPath, losses);
    }
    return out;
  }
  if (def.type === 'array' && def.element && Array.isArray(value)) {
    const element = def.element;
    return value.map((item, index) => strip(element, item, joinPath(path, index), losses));
  }
  return value;
}
