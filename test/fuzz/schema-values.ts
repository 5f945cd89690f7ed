import fc from 'fast-check';

/**
 * Values made from JSON Schemas: the OCPI module schemas (zod, converted with z.toJSONSchema) and the
 * OCPP schemas ocpp-rpc ships. `validValue` builds a value the schema accepts (best effort: zod
 * refinements are not in the JSON Schema); `mutate` breaks one named thing in a valid value — a wrong
 * type, a missing field, a string too long, a bad date or enum, deep nesting, a huge array… Callers
 * check the result against the real validator, so "invalid" is decided by the hub's own schema.
 */

export interface JsonSchema {
  $ref?: string;
  type?: string | string[];
  enum?: unknown[];
  const?: unknown;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  items?: JsonSchema;
  minItems?: number;
  maxItems?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  format?: string;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  multipleOf?: number;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
  definitions?: Record<string, JsonSchema>;
  $defs?: Record<string, JsonSchema>;
  [key: string]: unknown;
}

/** Resolves `#/definitions/X` and `#/$defs/X` against the root schema. */
export function resolve(schema: JsonSchema, root: JsonSchema): JsonSchema {
  let current = schema;
  for (let hops = 0; current.$ref && hops < 10; hops++) {
    const [, group, name] = /^#\/(definitions|\$defs)\/(.+)$/.exec(current.$ref) ?? [];
    const target = group ? (root[group] as Record<string, JsonSchema> | undefined)?.[name] : undefined;
    if (!target) throw new Error(`cannot resolve ${current.$ref}`);
    current = target;
  }
  if (current.allOf?.length === 1) return resolve(current.allOf[0], root);
  return current;
}

function typeOf(schema: JsonSchema): string | undefined {
  if (Array.isArray(schema.type)) return schema.type.find((t) => t !== 'null') ?? schema.type[0];
  if (schema.type) return schema.type;
  if (schema.properties) return 'object';
  if (schema.items) return 'array';
  return undefined;
}

const isDateTime = (s: JsonSchema) => s.format === 'date-time' || (s.pattern ?? '').includes('T\\d{2}');
const isUri = (s: JsonSchema) => s.format === 'uri' || s.format === 'url';
const printable = fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c));
const idChars = fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789'.split(''));

function stringValue(schema: JsonSchema): fc.Arbitrary<string> {
  const min = schema.minLength ?? 0;
  const max = Math.max(min, Math.min(schema.maxLength ?? 20, min + 20));
  if (isDateTime(schema)) {
    return fc
      .date({ min: new Date('2015-01-01T00:00:00Z'), max: new Date('2035-12-31T23:59:59Z'), noInvalidDate: true })
      .map((d) => d.toISOString().replace(/\.\d{3}Z$/, 'Z'));
  }
  if (isUri(schema)) return fc.constantFrom('https://partner.example/r/1', 'http://198.51.100.7/ocpi/result');
  const pattern = schema.pattern;
  // The printable-ASCII patterns of CiString and credentials tokens: a bounded string of those characters.
  const charClass = pattern && /^\^\[\\x(2[01])-\\x7e\](?:\*|\{(\d+),(\d+)\})\$$/.exec(pattern);
  if (!pattern || charClass) {
    const unit = charClass && charClass[1] === '21' ? printable.filter((c) => c !== ' ') : printable;
    const lo = charClass?.[2] ? Number(charClass[2]) : Math.max(min, 1);
    const hi = charClass?.[3] ? Math.min(Number(charClass[3]), lo + 20) : Math.max(lo, max);
    return fc.string({ unit: pattern ? unit : idChars, minLength: lo, maxLength: hi });
  }
  return fc.stringMatching(new RegExp(pattern)).filter((s) => s.length >= min && (schema.maxLength === undefined || s.length <= schema.maxLength));
}

function numberValue(schema: JsonSchema, integer: boolean): fc.Arbitrary<number> {
  const min = schema.minimum ?? (schema.exclusiveMinimum !== undefined ? schema.exclusiveMinimum + 1 : -1000);
  const max = schema.maximum ?? (schema.exclusiveMaximum !== undefined ? schema.exclusiveMaximum - 1 : 100000);
  const lo = Math.ceil(Math.max(min, -1e6));
  const hi = Math.floor(Math.min(max, 1e6));
  // Whole numbers or one decimal: valid for OCPI Decimals, one-digit profile limits and OCPP decimals.
  return fc.integer({ min: lo * (integer ? 1 : 10), max: hi * (integer ? 1 : 10) }).map((n) => (integer ? n : n / 10));
}

/** A value the schema accepts (up to refinements the JSON Schema cannot express). */
export function validValue(schema: JsonSchema, root: JsonSchema = schema, depth = 0): fc.Arbitrary<unknown> {
  const s = resolve(schema, root);
  if (s.const !== undefined) return fc.constant(s.const);
  if (s.enum) return fc.constantFrom(...s.enum);
  const alternatives = s.anyOf ?? s.oneOf;
  if (alternatives) return validValue(alternatives.find((a) => resolve(a, root).type !== 'null') ?? alternatives[0], root, depth);
  switch (typeOf(s)) {
    case 'object': {
      const entries = Object.entries(s.properties ?? {});
      const required = new Set(s.required ?? []);
      // Deep in the tree only required fields, so values stay small.
      const kept = entries.filter(([name]) => required.has(name) || depth < 3);
      const record: Record<string, fc.Arbitrary<unknown>> = {};
      for (const [name, sub] of kept) record[name] = validValue(sub, root, depth + 1);
      return fc.record(record, { requiredKeys: kept.map(([n]) => n).filter((n) => required.has(n)) });
    }
    case 'array': {
      const minLength = s.minItems ?? 0;
      const maxLength = Math.max(minLength, Math.min(s.maxItems ?? 2, minLength + (depth < 3 ? 2 : 0)));
      return fc.array(validValue(s.items ?? {}, root, depth + 1), { minLength, maxLength });
    }
    case 'string':
      return stringValue(s);
    case 'integer':
      return numberValue(s, true);
    case 'number':
      return numberValue(s, false);
    case 'boolean':
      return fc.boolean();
    case 'null':
      return fc.constant(null);
    default:
      return fc.constantFrom('any', 1, true);
  }
}

/** A place in a value where a mutation can be made, with the schema that governs it. */
interface Site {
  path: (string | number)[];
  schema: JsonSchema;
}

function sitesOf(value: unknown, schema: JsonSchema, root: JsonSchema, path: (string | number)[] = [], out: Site[] = []): Site[] {
  const s = resolve(schema, root);
  out.push({ path, schema: s });
  if (path.length > 6) return out;
  if (Array.isArray(value) && s.items) value.forEach((item, i) => sitesOf(item, s.items!, root, [...path, i], out));
  else if (value && typeof value === 'object' && s.properties) {
    for (const [key, sub] of Object.entries(value as Record<string, unknown>)) {
      if (s.properties[key]) sitesOf(sub, s.properties[key], root, [...path, key], out);
    }
  }
  return out;
}

const UNICODE = ['ünïcødé', '\u202Eevil\u202C', '😀🚗⚡', 'a\u0000b', '\uD800', 'Ω≈ç√∫', '\u00A0', 'ＡＢＣ'];
const BAD_DATES = ['2024-13-45T25:61:00Z', 'yesterday', '2024-02-30T00:00:00Z', '1699999999', '2024-01-01', '0000-00-00T00:00:00Z', '+275760-09-13T00:00:00Z', ''];

function deep(depth: number, kind: 'array' | 'object'): unknown {
  let value: unknown = 1;
  for (let i = 0; i < depth; i++) value = kind === 'array' ? [value] : { a: value };
  return value;
}

/** The mutations that can break a value governed by `schema`, each with its name. */
type Mutation = [name: string, mutate: (current: unknown, pick: number) => unknown];

const choose = <T>(list: readonly T[], pick: number): T => list[pick % list.length];

function mutationsFor(schema: JsonSchema, hugeStringLength: number): Mutation[] {
  const type = typeOf(schema);
  const list: Mutation[] = [];
  const wrongTypes: Record<string, unknown[]> = {
    string: [42, true, { x: 'y' }, ['a'], null],
    integer: ['12', 1.5, true, null, [1], 1e308],
    number: ['12.5', true, null, {}, '1e3'],
    boolean: ['true', 0, 1, null, 'yes'],
    object: ['object', 7, [], null, true],
    array: [{}, 'list', 3, null],
  };
  list.push(['wrong type', (_, pick) => choose(wrongTypes[type ?? 'string'] ?? wrongTypes.string, pick)]);
  if (schema.enum) list.push(['bad enum', (_, pick) => choose(['NOT_A_VALUE', String(schema.enum![0]).toLowerCase(), ` ${String(schema.enum![0])}`, ...UNICODE], pick)]);
  if (type === 'string') {
    if (isDateTime(schema)) list.push(['bad date', (_, pick) => choose(BAD_DATES, pick)]);
    if (schema.maxLength !== undefined) list.push(['string too long', () => 'X'.repeat(schema.maxLength! + 1)]);
    list.push(['huge string', () => 'Z'.repeat(hugeStringLength)]);
    if ((schema.minLength ?? 0) > 0 || schema.pattern) list.push(['empty string', () => '']);
    if (schema.pattern || isUri(schema) || schema.enum || isDateTime(schema)) list.push(['unicode', (_, pick) => choose(UNICODE, pick)]);
  }
  if (type === 'integer' || type === 'number') {
    if (schema.minimum !== undefined) list.push(['below minimum', () => schema.minimum! - 1]);
    if (schema.maximum !== undefined) list.push(['above maximum', () => schema.maximum! + 1]);
    if (type === 'integer') list.push(['fraction', () => 0.5]);
  }
  if (type === 'array') {
    if ((schema.minItems ?? 0) > 0) list.push(['empty array', () => []]);
    list.push(['huge array of wrong items', () => Array.from({ length: 2000 }, (_, i) => (i % 2 ? 'x' : [i]))]);
  }
  if (type === 'object') {
    for (const name of schema.required ?? []) {
      list.push([`missing ${name}`, (current) => {
        if (!current || typeof current !== 'object' || Array.isArray(current)) return current;
        const copy = { ...(current as Record<string, unknown>) };
        delete copy[name];
        return copy;
      }]);
    }
    if (schema.additionalProperties === false) list.push(['unknown property', (current) => ({ ...(current as object), unknownProperty: 1 })]);
  }
  list.push(['deep nesting', () => deep(2000, type === 'array' ? 'object' : 'array')]);
  return list;
}

function setAt(value: unknown, path: (string | number)[], replacement: (current: unknown) => unknown): unknown {
  if (path.length === 0) return replacement(value);
  const [head, ...rest] = path;
  const copy: any = Array.isArray(value) ? [...value] : { ...(value as object) };
  copy[head] = setAt(copy[head], rest, replacement);
  return copy;
}

export interface Mutated {
  value: unknown;
  /** What was broken, e.g. `evses.0.status: bad enum`. */
  mutation: string;
}

/**
 * A valid value with one thing broken. `check` is the real validator (true = accepted): mutations it
 * still accepts are discarded, so every value returned is one the hub's own schema refuses.
 */
export function invalidValue(schema: JsonSchema, check: (value: unknown) => boolean, options: { hugeStringLength: number }, root: JsonSchema = schema): fc.Arbitrary<Mutated> {
  const rootType = typeOf(resolve(schema, root));
  const wholeBody: fc.Arbitrary<Mutated> = fc
    .constantFrom<unknown>(null, 42, 'a string', true, [], [{}], ...(rootType === 'object' ? [] : [{}]))
    .map((value) => ({ value, mutation: 'root: wrong type' }));
  const broken: fc.Arbitrary<Mutated> = fc
    .tuple(validValue(schema, root), fc.nat(), fc.nat(), fc.nat())
    .map(([base, siteIndex, mutationIndex, pick]) => {
      const site = choose(sitesOf(base, schema, root), siteIndex);
      const [name, mutate] = choose(mutationsFor(site.schema, options.hugeStringLength), mutationIndex);
      return { value: setAt(base, site.path, (current) => mutate(current, pick)), mutation: `${site.path.join('.') || 'root'}: ${name}` };
    });
  return fc.oneof({ weight: 1, arbitrary: wholeBody }, { weight: 12, arbitrary: broken }).filter((m) => !check(m.value));
}
