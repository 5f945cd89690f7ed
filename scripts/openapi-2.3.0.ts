/**
 * Writes openapi/modules/ocpi-2.3.0.yaml: the 2.3.0 twin of every /ocpi/2.2.1 route (same URLs and
 * operations, objects in their 2.3.0 form). Run after changing a 2.2.1 route: `npx tsx scripts/openapi-2.3.0.ts`.
 */
import path from 'node:path';
import { writeFileSync } from 'node:fs';
import { stringify } from 'yaml';
import { loadOpenApiDocument } from '../src/openapi-document';
const d = loadOpenApiDocument({ without: 'ocpi-2.3.0.yaml' }) as any;
const paths: Record<string, any> = {};
const METHODS = ['get', 'put', 'post', 'patch', 'delete'];
for (const [p, item] of Object.entries<any>(d.paths)) {
  if (!p.startsWith('/ocpi/2.2.1')) continue;
  const twin: any = {};
  if (item.parameters) twin.parameters = item.parameters;
  for (const m of METHODS) {
    const op = item[m];
    if (!op) continue;
    const responses: any = {};
    for (const [code, r] of Object.entries<any>(op.responses ?? {})) {
      if (r.$ref) { responses[code] = r; continue; }
      const out: any = { description: r.description ?? 'OCPI 2.3.0 response' };
      if (r.headers) out.headers = r.headers;
      if (r.content) out.content = { 'application/json': { schema: { $ref: '#/components/schemas/Ocpi230Response' } } };
      responses[code] = out;
    }
    twin[m] = {
      tags: ['ocpi-2.3.0'],
      summary: `${String(op.summary ?? `${m.toUpperCase()} ${p}`).replace('OCPI 2.2.1 ', 'OCPI 2.3.0 ')} (OCPI 2.3.0)`,
      ...(op.security ? { security: op.security } : {}),
      ...(op.parameters ? { parameters: op.parameters } : {}),
      ...(op.requestBody ? { requestBody: { required: op.requestBody.required ?? true, content: { 'application/json': { schema: { $ref: '#/components/schemas/Ocpi230Object' } } } } } : {}),
      responses,
    };
  }
  paths[p.replace('/ocpi/2.2.1', '/ocpi/2.3.0')] = twin;
}
const doc = {
  paths,
  components: {
    schemas: {
      Ocpi230Object: {
        description: 'An object in its OCPI 2.3.0 form (the 2.3.0 text; the hub reads it with src/core/ocpi-versions/v2.3.0 and keeps undocumented fields). Served when OCPI_VERSIONS offers 2.3.0.',
        type: ['object', 'array'],
      },
      Ocpi230Response: {
        type: 'object',
        required: ['status_code', 'timestamp'],
        properties: {
          data: { description: 'The answer in its OCPI 2.3.0 form, translated from the hub form (docs/versions.md).' },
          status_code: { type: 'integer' },
          status_message: { type: 'string' },
          timestamp: { type: 'string', format: 'date-time' },
        },
      },
    },
  },
};
const header = `# The OCPI 2.3.0 routes (served when OCPI_VERSIONS offers 2.3.0): the same URLs and operations as
# 2.2.1, with the objects in their 2.3.0 form (docs/versions.md). Made from the 2.2.1 paths by
# scripts/openapi-2.3.0.ts; test/openapi-versions.test.ts checks that every 2.2.1 route has its twin here.
`;
writeFileSync(path.join(__dirname, '../openapi/modules/ocpi-2.3.0.yaml'), header + stringify(doc, { aliasDuplicateObjects: false, lineWidth: 0 }));
console.log(Object.keys(paths).length);
