import { readdirSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { HUB_ENDPOINTS, ocpiRouters } from '../../src/app';
import type { Services } from '../../src/services';
import type { JsonSchema } from './schema-values';

/** One OCPI route as the hub's routers declare it. */
export interface OcpiRoute {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** The router's path pattern, e.g. `/ocpi/2.2.1/receiver/locations/:country_code/:party_id/:location_id`. */
  pattern: string;
  /** `locations`, `credentials`, `versions`, … */
  module: string;
  /** The interface the route belongs to; `configuration` for versions, credentials and hubclientinfo. */
  side: 'sender' | 'receiver' | 'configuration';
  params: string[];
  /** `GET /ocpi/2.2.1/…` — the key of the expectation tables. */
  key: string;
}

const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;

function moduleOf(pattern: string): Pick<OcpiRoute, 'module' | 'side'> {
  const functional = /^\/ocpi\/[^/]+\/(sender|receiver)\/([^/]+)/.exec(pattern);
  if (functional) return { side: functional[1] as 'sender' | 'receiver', module: functional[2] };
  const configuration = /^\/ocpi\/[^/]+\/([^/]+)/.exec(pattern);
  return { side: 'configuration', module: configuration ? configuration[1] : 'versions' };
}

/**
 * Every OCPI route of the hub, read from the `stack` of the routers createApp mounts (HEAD, which
 * koa-router adds to every GET, is left out: it runs the same handler). A new route shows up here
 * without anyone listing it.
 */
export function ocpiRoutes(services: Services): OcpiRoute[] {
  const routes = new Map<string, OcpiRoute>();
  for (const router of ocpiRouters(services)) {
    for (const layer of router.stack) {
      for (const method of layer.methods) {
        if (!(METHODS as readonly string[]).includes(method)) continue;
        const pattern = String(layer.path);
        const key = `${method} ${pattern}`;
        routes.set(key, {
          method: method as OcpiRoute['method'],
          pattern,
          ...moduleOf(pattern),
          params: layer.paramNames.map((p) => String(p.name)),
          key,
        });
      }
    }
  }
  return [...routes.values()];
}

/** The methods a route pattern does not allow (the fuzz sends them too: 405 expected). */
export function disallowedMethods(routes: OcpiRoute[], pattern: string): OcpiRoute['method'][] {
  const allowed = new Set(routes.filter((r) => r.pattern === pattern).map((r) => r.method));
  return METHODS.filter((m) => !allowed.has(m));
}

/** A zod schema of a module, with its JSON Schema (input side) for generating values. */
export interface ModuleSchema {
  module: string;
  name: string;
  zod: z.ZodType;
  json: JsonSchema;
}

const MODULES_DIR = path.join(__dirname, '../../src/hub/modules');

/**
 * Every object schema exported by src/modules/<module>/<module>.schema.ts, by module. Enums and
 * scalars are left out: bodies are objects. Loaded at run time, so a new schema is fuzzed too.
 */
export function moduleSchemas(): Map<string, ModuleSchema[]> {
  const byModule = new Map<string, ModuleSchema[]>();
  for (const module of readdirSync(MODULES_DIR)) {
    const dir = path.join(MODULES_DIR, module);
    let files: string[];
    try {
      files = readdirSync(dir).filter((f) => f.endsWith('.schema.ts'));
    } catch {
      continue; // a file, not a module folder
    }
    for (const file of files) {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const exported = require(path.join(dir, file)) as Record<string, unknown>;
      for (const [name, value] of Object.entries(exported)) {
        if (!(value instanceof z.ZodType)) continue;
        const json = z.toJSONSchema(value, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
        if (json.type !== 'object') continue;
        const list = byModule.get(module) ?? [];
        list.push({ module, name, zod: value, json });
        byModule.set(module, list);
      }
    }
  }
  return byModule;
}

/** The modules named in the hub's version details (each must have routes). */
export function advertisedModules(): string[] {
  return [...new Set(HUB_ENDPOINTS.map((e) => e.identifier))];
}
