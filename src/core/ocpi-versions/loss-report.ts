/**
 * What a translation between OCPI versions could not carry. A translation never invents data: a
 * field or value the target version has no place for is left out and named here; an object that
 * cannot be expressed at all is refused (TranslationRefused), and the delivery fails visibly.
 */
import type { OcpiVersion } from './ocpi-versions';

export type LossKind =
  /** The target version has no such field: the value is left out. */
  | 'field_dropped'
  /** The target version has the field but not this value (e.g. a connector standard): left out. */
  | 'value_dropped'
  /** Carried in a coarser form (e.g. a tax list summed into one VAT figure); the detail says how. */
  | 'value_narrowed';

export interface Loss {
  /** JSON path in the source object, e.g. `evses[0].connectors[1].standard`. */
  path: string;
  kind: LossKind;
  detail: string;
  from: OcpiVersion;
  to: OcpiVersion;
}

export interface Translation<T> {
  value: T;
  losses: Loss[];
}

/** An object the target version cannot express at all (not a partial loss): the reason is shown. */
export class TranslationRefused extends Error {
  constructor(
    readonly from: OcpiVersion,
    readonly to: OcpiVersion,
    reason: string,
  ) {
    super(`cannot translate from OCPI ${from} to ${to}: ${reason}`);
    this.name = 'TranslationRefused';
  }
}

/** Collects losses of one translation step; `path` helpers keep the paths uniform. */
export class LossRecorder {
  readonly losses: Loss[] = [];
  constructor(
    readonly from: OcpiVersion,
    readonly to: OcpiVersion,
  ) {}

  record(path: string, kind: LossKind, detail: string): void {
    this.losses.push({ path, kind, detail, from: this.from, to: this.to });
  }

  /** Records a dropped field when `value` is present (not undefined/null). */
  dropIfPresent(path: string, value: unknown, detail: string): void {
    if (value !== undefined && value !== null) this.record(path, 'field_dropped', detail);
  }

  refuse(reason: string): never {
    throw new TranslationRefused(this.from, this.to, reason);
  }
}
