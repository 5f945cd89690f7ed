import { LossRecorder, type Translation } from '../loss-report';
import type { OcpiVersion } from '../ocpi-versions';

/**
 * The small machinery the 2.1.1 translations share: an object is translated field by field, each
 * field the source names has a handler, and a field without one (a field the source version does not
 * define, or one the target has no place for) is left out and named in the loss report.
 */

export type JsonObject = Record<string, unknown>;

/** The identity a 2.1.1 object lacks: the sender's address (from its credentials, or the push URL). */
export interface PartyIdentity {
  country_code: string;
  party_id: string;
}

/** The context field every 2.1.1 → 2.2.1 PATCH translation takes. */
export interface PatchReceivedAtContext {
  /** For a PATCH without last_updated (2.1.1 does not require it): when the hub received it. */
  receivedAt?: string;
}

/** A 2.1.1 object in the hub form, owned by `owner` (2.1.1 objects do not name their owner). */
export function withOwner(owner: PartyIdentity, value: JsonObject): JsonObject {
  return { country_code: owner.country_code, party_id: owner.party_id, ...value };
}

/** A 2.1.1 PATCH in the hub form, dated when the hub received it if it carries no last_updated. */
export function withReceivedAt(value: JsonObject, receivedAt: string | undefined): JsonObject {
  if (value.last_updated === undefined && receivedAt !== undefined) value.last_updated = receivedAt;
  return value;
}

export type FieldHandler = (value: unknown, out: JsonObject, path: string, rec: LossRecorder) => void;

export function at(path: string, key: string | number): string {
  if (typeof key === 'number') return `${path}[${key}]`;
  return path === '' ? key : `${path}.${key}`;
}

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Copies the value under the same name. */
export const copy: FieldHandler = (value, out, path) => {
  out[lastKey(path)] = value;
};

/** Copies the value under another name. */
export const rename =
  (to: string): FieldHandler =>
  (value, out) => {
    out[to] = value;
  };

/** Leaves the field out and names it (the target version has no such field). */
export const drop =
  (detail: string): FieldHandler =>
  (value, _out, path, rec) => {
    rec.dropIfPresent(path, value, detail);
  };

/** Leaves the field out without a loss: the target carries the same fact elsewhere (the reason is the comment at the call). */
export const carriedElsewhere: FieldHandler = () => undefined;

/**
 * The owner fields of a hub-form object going to 2.1.1: the receiver knows the owner from the sender's
 * credentials (and, for a push, from the URL: /{module}/{country_code}/{party_id}/{id}).
 */
export const OWNER_CARRIED_ELSEWHERE: Record<string, FieldHandler> = {
  country_code: carriedElsewhere,
  party_id: carriedElsewhere,
};

function lastKey(path: string): string {
  const match = /([^.[\]]+)$/.exec(path);
  return match ? match[1] : path;
}

export function translateFields(
  source: JsonObject,
  path: string,
  rec: LossRecorder,
  handlers: Record<string, FieldHandler>,
  objectName: string,
): JsonObject {
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(source)) {
    if (value === undefined) continue;
    const handler = Object.prototype.hasOwnProperty.call(handlers, key) ? handlers[key] : undefined;
    const fieldPath = at(path, key);
    if (handler === undefined) {
      rec.record(fieldPath, 'field_dropped', `${key} is not a field of the OCPI ${rec.to} ${objectName} (nor of the ${rec.from} one the hub reads)`);
      continue;
    }
    handler(value, out, fieldPath, rec);
  }
  return out;
}

/** Maps an array element-wise; an element the mapper returns undefined for is left out (it records why). */
export function mapArray(value: unknown, path: string, mapper: (item: unknown, itemPath: string) => unknown): unknown[] {
  if (!Array.isArray(value)) return value as unknown[];
  const out: unknown[] = [];
  value.forEach((item, i) => {
    const mapped = mapper(item, at(path, i));
    if (mapped !== undefined) out.push(mapped);
  });
  return out;
}

/** Whether a translated list kept none of the items its source had (an empty source list is not emptied). */
export function emptiedList(source: unknown, translated: unknown): boolean {
  return Array.isArray(translated) && translated.length === 0 && Array.isArray(source) && source.length > 0;
}

/** Keeps the values of an enum list the target knows and names each one it leaves out. */
export function keepKnownValues(known: readonly string[], what: string): FieldHandler {
  return (value, out, path, rec) => {
    out[lastKey(path)] = mapArray(value, path, (item, itemPath) => {
      if (typeof item === 'string' && known.includes(item)) return item;
      rec.record(itemPath, 'value_dropped', `OCPI ${rec.to} has no ${what} ${String(item)}`);
      return undefined;
    });
  };
}

/** Runs a translation 2.1.1 → 2.2.1 with a fresh loss recorder: its value and the losses it named. */
export function translatedFromV211<T>(translate: (rec: LossRecorder) => T): Translation<T> {
  return translated('2.1.1', '2.2.1', translate);
}

/** Runs a translation 2.2.1 → 2.1.1 with a fresh loss recorder: its value and the losses it named. */
export function translatedToV211<T>(translate: (rec: LossRecorder) => T): Translation<T> {
  return translated('2.2.1', '2.1.1', translate);
}

function translated<T>(from: OcpiVersion, to: OcpiVersion, translate: (rec: LossRecorder) => T): Translation<T> {
  const rec = new LossRecorder(from, to);
  const value = translate(rec);
  return { value, losses: rec.losses };
}

/** What the hub knows of a 2.2.1 Token that a 2.1.1 object only names by auth_id. */
export interface KnownToken {
  country_code: string;
  party_id: string;
  uid: string;
  type: string;
  contract_id: string;
  [field: string]: unknown;
}
