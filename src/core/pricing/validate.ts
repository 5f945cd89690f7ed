/** Turns untrusted JSON into a typed Tariff, or into a list of problems a person can act on. */
import type { z } from 'zod';
import { Tariff } from './tariff.schema';

export interface ValidationError {
  /** Where the problem is, e.g. `elements[1].price_components[0].step_size`; empty for the object itself. */
  path: string;
  message: string;
}

export type TariffValidation = { ok: true; tariff: Tariff } | { ok: false; errors: ValidationError[] };

export function validateTariff(json: unknown): TariffValidation {
  const result = Tariff.safeParse(json);
  if (result.success) return { ok: true, tariff: result.data };
  return { ok: false, errors: result.error.issues.flatMap(toValidationErrors) };
}

function toValidationErrors(issue: z.core.$ZodIssue): ValidationError[] {
  const path = formatPath(issue.path);
  if (issue.code === 'unrecognized_keys') {
    // One error per key, each pointing at the key itself, so a misspelling is named where it is.
    return issue.keys.map((key) => ({
      path: formatPath([...issue.path, key]),
      message: 'is not a field of this OCPI object (misspelt or unknown)',
    }));
  }
  if (issue.code === 'invalid_type' && /received undefined$/.test(issue.message)) {
    return [{ path, message: `is required (${issue.expected})` }];
  }
  return [{ path, message: issue.message }];
}

function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else out += out ? `.${String(segment)}` : String(segment);
  }
  return out;
}
