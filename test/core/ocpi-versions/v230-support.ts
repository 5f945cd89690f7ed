/** Helpers for the OCPI 2.3.0 translation tests: reading the spec's examples and comparing objects. */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Loss } from '../../../src/core/ocpi-versions/loss-report';
import { OCPI_2_3_0_EXAMPLES } from '../../support/spec-examples';

export type Json = Record<string, unknown>;

export function example230<T = Json>(file: string): T {
  return JSON.parse(readFileSync(path.join(OCPI_2_3_0_EXAMPLES, file), 'utf8')) as T;
}

export const EXAMPLE_FILES_230 = readdirSync(OCPI_2_3_0_EXAMPLES).filter((f) => f.endsWith('.json'));

const isEmpty = (v: unknown) => v === undefined || v === null || (Array.isArray(v) && v.length === 0);
const isPlain = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * The paths where two JSON values differ. An absent field, null and [] are the same ("If empty, it
 * might be null, [] or the field might be omitted", terminology.asciidoc, Cardinality).
 */
export function differences(a: unknown, b: unknown, at = ''): string[] {
  if (isEmpty(a) && isEmpty(b)) return [];
  if (Array.isArray(a) && Array.isArray(b)) {
    return Array.from({ length: Math.max(a.length, b.length) }, (_, i) => differences(a[i], b[i], `${at}[${i}]`)).flat();
  }
  if (isPlain(a) && isPlain(b)) {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    return [...keys].flatMap((k) => differences(a[k], b[k], at ? `${at}.${k}` : k));
  }
  return Object.is(a, b) ? [] : [at];
}

/** True when one path lies inside the other (a loss on a field covers a change of its parts, and the reverse). */
export function related(path: string, other: string): boolean {
  const inside = (p: string, q: string) => p === q || p.startsWith(`${q}.`) || p.startsWith(`${q}[`);
  return inside(path, other) || inside(other, path);
}

/** Every difference is named by a loss, and every loss names a difference. */
export function expectExactlyTheLosses(original: unknown, roundTripped: unknown, losses: Loss[], added: string[] = []): void {
  const diffs = differences(original, roundTripped);
  const unexplained = diffs.filter((d) => !losses.some((l) => related(d, l.path)) && !added.includes(d));
  expect(unexplained).toEqual([]);
  const idle = losses.filter((l) => !diffs.some((d) => related(d, l.path)));
  expect(idle).toEqual([]);
  for (const a of added) expect(diffs).toContain(a);
}

export const pathsAndKinds = (losses: Loss[]) => losses.map((l) => [l.path, l.kind]);
