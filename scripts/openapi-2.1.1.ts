/**
 * Writes openapi/modules/ocpi-2.1.1.yaml: the 2.1.1 twin of every /ocpi/2.2.1 route of a module 2.1.1
 * has (VERSION_FORM['2.1.1'].modules: no charging profiles, hub client info or charging preferences),
 * same URLs and operations, objects in their 2.1.1 form. A 2.1.1 party is shown the interfaces facing
 * its one role in the version details (docs/versions.md). Run after changing a 2.2.1 route:
 * `npx tsx scripts/openapi-2.1.1.ts`.
 */
import path from 'node:path';
import { writeFileSync } from 'node:fs';
import { stringify } from 'yaml';
import { loadOpenApiDocument } from '../src/openapi-document';
import { VERSION_FORM } from '../src/core/ocpi-versions/ocpi-versions';

const d = loadOpenApiDocument({ without: 'ocpi-2.1.1.yaml' }) as any;
const paths: Record<string, any> = {};
const METHODS = ['get', 'put', 'post', 'patch', 'delete'];
/** The module of a 2.2.1 path: `/ocpi/2.2.1/{sender|receiver}/{module}/…` or `/ocpi/2.2.1/{module}`. */
function moduleOf(p: string): string | undefined {
  const parts = p.split('/').slice(3);
  if (parts.length === 0) return 'versions';
  const module = parts[0] === 'sender' || parts[0] === 'receiver' ? parts[1] : parts[0];
  if (p.endsWith('/charging_preferences')) return 'chargingprofiles';
  return module;
}
export function v211Has(p: string): boolean {
  const module = moduleOf(p);
  return module === 'versions' || (module !== undefined && VERSION_FORM['2.1.1'].modules.includes(module));
}
for (const [p, item] of Object.entries<any>(d.paths)) {
  if (!p.startsWith('/ocpi/2.2.1') || !v211Has(p)) continue;
  const twin: any = {};
  if (item.parameters) twin.parameters = item.parameters;
  for (const m of METHODS) {
    const op = item[m];
    if (!op) continue;
    const responses: any = {};
    for (const [code, r] of Object.entries<any>(op.responses ?? {})) {
      if (r.$ref) { responses[code] = r; continue; }
      const out: any = { description: r.description ?? 'OCPI 2.1.1 response' };
      if (r.headers) out.headers = r.headers;
      if (r.content) out.content = { 'application/json': { schema: { $ref: '#/components/schemas/Ocpi211Response' } } };
      responses[code] = out;
    }
    twin[m] = {
      tags: ['ocpi-2.1.1'],
      summary: `${String(op.summary ?? `${m.toUpperCase()} ${p}`).replace('OCPI 2.2.1 ', 'OCPI 2.1.1 ')} (OCPI 2.1.1)`,
      ...(op.security ? { security: op.security } : {}),
      ...(op.parameters ? { parameters: op.parameters } : {}),
      ...(op.requestBody ? { requestBody: { required: op.requestBody.required ?? true, content: { 'application/json': { schema: { $ref: '#/components/schemas/Ocpi211Object' } } } } } : {}),
      responses,
    };
  }
  paths[p.replace('/ocpi/2.2.1', '/ocpi/2.1.1')] = twin;
}
const doc = {
  paths,
  components: {
    schemas: {
      Ocpi211Object: {
        description:
          'An object in its OCPI 2.1.1 form (the 2.1.1 text; the hub reads it with src/core/ocpi-versions/v2.1.1): no country_code/party_id (the sender is the owner), auth_id for the token, a session or CDR with its whole location. Served when OCPI_VERSIONS offers 2.1.1.',
        type: ['object', 'array'],
      },
      Ocpi211Response: {
        type: 'object',
        required: ['status_code', 'timestamp'],
        properties: {
          data: { description: 'The answer in its OCPI 2.1.1 form, translated from the hub form (docs/versions.md). Version details list one URL per module without role: the interfaces facing the party’s role.' },
          status_code: { type: 'integer' },
          status_message: { type: 'string' },
          timestamp: { type: 'string', format: 'date-time' },
        },
      },
    },
  },
};
const header = `# The OCPI 2.1.1 routes (served when OCPI_VERSIONS offers 2.1.1): the 2.2.1 URLs and operations of the
# modules 2.1.1 has, with the objects in their 2.1.1 form (docs/versions.md). Made from the 2.2.1 paths by
# scripts/openapi-2.1.1.ts; test/openapi-versions.test.ts checks that every such 2.2.1 route has its twin here.
`;
if (require.main === module) {
  writeFileSync(path.join(__dirname, '../openapi/modules/ocpi-2.1.1.yaml'), header + stringify(doc, { aliasDuplicateObjects: false, lineWidth: 0 }));
  console.log(Object.keys(paths).length);
}
