import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';

const ROOT = path.join(__dirname, '..', 'openapi');

type Section = Record<string, unknown>;
interface OpenApiDocument {
  paths: Section;
  components: Record<string, Section>;
  [key: string]: unknown;
}

function merge(target: Section, source: Section | undefined, where: string): void {
  for (const [key, value] of Object.entries(source ?? {})) {
    if (key in target) throw new Error(`openapi: ${where} ${key} is defined twice`);
    target[key] = value;
  }
}

/**
 * The OpenAPI document: openapi/openapi.yaml (transport, admin API, shared components) with the paths
 * and components of every openapi/modules/*.yaml merged in (one file per OCPI module, beside its
 * code's owner). Served by the hub at /openapi.json; tests check every real response against it.
 */
export function loadOpenApiDocument(options: { without?: string } = {}): OpenApiDocument {
  const document = parse(readFileSync(path.join(ROOT, 'openapi.yaml'), 'utf8')) as OpenApiDocument;
  const modulesDir = path.join(ROOT, 'modules');
  const files = readdirSync(modulesDir, { withFileTypes: true }).filter((f) => f.isFile() && f.name.endsWith('.yaml') && f.name !== options.without);
  for (const file of files.map((f) => f.name).sort()) {
    const part = parse(readFileSync(path.join(modulesDir, file), 'utf8')) as Partial<OpenApiDocument>;
    merge(document.paths, part.paths, `${file}: path`);
    for (const [section, entries] of Object.entries(part.components ?? {})) {
      document.components[section] ??= {};
      merge(document.components[section], entries, `${file}: components.${section}`);
    }
  }
  return document;
}
