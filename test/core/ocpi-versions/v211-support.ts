/** Reading the 2.1.1 examples (test/fixtures/ocpi-2.1.1-examples, verbatim copies) for the v211 tests. */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { OCPI_2_1_1_EXAMPLES } from '../../support/spec-examples';

export function exampleText(file: string): string {
  return readFileSync(path.join(OCPI_2_1_1_EXAMPLES, file), 'utf8');
}

export function example<T = Record<string, unknown>>(file: string): T {
  return JSON.parse(exampleText(file)) as T;
}

export function exampleFiles(): string[] {
  return readdirSync(OCPI_2_1_1_EXAMPLES).filter((f) => f.endsWith('.json'));
}

/** The examples that are a request: a "PUT To URL:"/"PATCH To URL:" line, a blank line, then the JSON body. */
export function requestExample(file: string): { method: string; url: string; body: Record<string, unknown> } {
  const match = /^(PUT|PATCH) To URL: (\S+)\s*\n\s*\n([\s\S]*)$/.exec(exampleText(file));
  if (!match) throw new Error(`${file} is not a request example`);
  return { method: match[1], url: match[2], body: JSON.parse(match[3]) as Record<string, unknown> };
}

/** The examples that are one object member (`"name": {...}`): parsed by wrapping them in braces. */
export function memberExample(file: string): Record<string, unknown> {
  return JSON.parse(`{${exampleText(file)}}`) as Record<string, unknown>;
}

/** The sender's address in these tests (the examples' own URLs use NL/TNM). */
export const SENDER = { country_code: 'NL', party_id: 'TNM' };
