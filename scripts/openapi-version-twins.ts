/**
 * Writes the OpenAPI twins of the /ocpi/2.2.1 routes for the other versions the hub offers:
 * openapi/modules/ocpi-2.1.1.yaml (the routes of the modules 2.1.1 has, VERSION_FORM) and
 * openapi/modules/ocpi-2.3.0.yaml (every route), same URLs and operations, objects in the version's
 * form. Run after changing a 2.2.1 route: `npx tsx scripts/openapi-version-twins.ts`.
 * test/openapi-versions.test.ts checks that every such 2.2.1 route has its twin.
 */
import path from 'node:path';
import { writeFileSync } from 'node:fs';
import { stringify } from 'yaml';
import { loadOpenApiDocument } from '../src/openapi-document';
import { type OcpiVersion, VERSION_FORM } from '../src/core/ocpi-versions/ocpi-versions';

const METHODS = ['get', 'put', 'post', 'patch', 'delete'];

/** The module of a 2.2.1 path: `/ocpi/2.2.1/{sender|receiver}/{module}/…` or `/ocpi/2.2.1/{module}`. */
function moduleOf(p: string): string | undefined {
  const parts = p.split('/').slice(3);
  if (parts.length === 0) return 'versions';
  if (p.endsWith('/charging_preferences')) return 'chargingprofiles';
  return parts[0] === 'sender' || parts[0] === 'receiver' ? parts[1] : parts[0];
}

interface TwinSpec {
  version: OcpiVersion;
  tag: string;
  objectDescription: string;
  dataDescription: string;
  header: string;
}

const TWINS: TwinSpec[] = [
  {
    version: '2.1.1',
    tag: 'ocpi-2.1.1',
    objectDescription:
      'An object in its OCPI 2.1.1 form (the 2.1.1 text; the hub reads it with src/core/ocpi-versions/v2.1.1): no country_code/party_id (the sender is the owner), auth_id for the token, a session or CDR with its whole location. Served when OCPI_VERSIONS offers 2.1.1.',
    dataDescription:
      'The answer in its OCPI 2.1.1 form, translated from the hub form (docs/versions.md). Version details list one URL per module without role: the interfaces facing the party’s role.',
    header: `# The OCPI 2.1.1 routes (served when OCPI_VERSIONS offers 2.1.1): the 2.2.1 URLs and operations of the
# modules 2.1.1 has, with the objects in their 2.1.1 form (docs/versions.md). Made from the 2.2.1 paths by
# scripts/openapi-version-twins.ts; test/openapi-versions.test.ts checks that every such 2.2.1 route has its twin here.
`,
  },
  {
    version: '2.3.0',
    tag: 'ocpi-2.3.0',
    objectDescription:
      'An object in its OCPI 2.3.0 form (the 2.3.0 text; the hub reads it with src/core/ocpi-versions/v2.3.0 and keeps undocumented fields). Served when OCPI_VERSIONS offers 2.3.0.',
    dataDescription: 'The answer in its OCPI 2.3.0 form, translated from the hub form (docs/versions.md).',
    header: `# The OCPI 2.3.0 routes (served when OCPI_VERSIONS offers 2.3.0): the same URLs and operations as
# 2.2.1, with the objects in their 2.3.0 form (docs/versions.md). Made from the 2.2.1 paths by
# scripts/openapi-version-twins.ts; test/openapi-versions.test.ts checks that every 2.2.1 route has its twin here.
`,
  },
];

function twinDocument(spec: TwinSpec): { paths: Record<string, any>; components: Record<string, any> } {
  const d = loadOpenApiDocument({ without: `ocpi-${spec.version}.yaml` }) as any;
  const id = spec.version.replace(/\./g, '');
  const has = (p: string) => {
    const module = moduleOf(p);
    return module === 'versions' || (module !== undefined && VERSION_FORM[spec.version].modules.includes(module));
  };
  const paths: Record<string, any> = {};
  for (const [p, item] of Object.entries<any>(d.paths)) {
    if (!p.startsWith('/ocpi/2.2.1') || !has(p)) continue;
    const twin: any = {};
    if (item.parameters) twin.parameters = item.parameters;
    for (const m of METHODS) {
      const op = item[m];
      if (!op) continue;
      const responses: any = {};
      for (const [code, r] of Object.entries<any>(op.responses ?? {})) {
        if (r.$ref) {
          responses[code] = r;
          continue;
        }
        const out: any = { description: r.description ?? `OCPI ${spec.version} response` };
        if (r.headers) out.headers = r.headers;
        if (r.content) out.content = { 'application/json': { schema: { $ref: `#/components/schemas/Ocpi${id}Response` } } };
        responses[code] = out;
      }
      twin[m] = {
        tags: [spec.tag],
        summary: `${String(op.summary ?? `${m.toUpperCase()} ${p}`).replace('OCPI 2.2.1 ', `OCPI ${spec.version} `)} (OCPI ${spec.version})`,
        ...(op.security ? { security: op.security } : {}),
        ...(op.parameters ? { parameters: op.parameters } : {}),
        ...(op.requestBody
          ? { requestBody: { required: op.requestBody.required ?? true, content: { 'application/json': { schema: { $ref: `#/components/schemas/Ocpi${id}Object` } } } } }
          : {}),
        responses,
      };
    }
    paths[p.replace('/ocpi/2.2.1', `/ocpi/${spec.version}`)] = twin;
  }
  return {
    paths,
    components: {
      schemas: {
        [`Ocpi${id}Object`]: { description: spec.objectDescription, type: ['object', 'array'] },
        [`Ocpi${id}Response`]: {
          type: 'object',
          required: ['status_code', 'timestamp'],
          properties: {
            data: { description: spec.dataDescription },
            status_code: { type: 'integer' },
            status_message: { type: 'string' },
            timestamp: { type: 'string', format: 'date-time' },
          },
        },
      },
    },
  };
}

for (const spec of TWINS) {
  const doc = twinDocument(spec);
  writeFileSync(path.join(__dirname, `../openapi/modules/ocpi-${spec.version}.yaml`), spec.header + stringify(doc, { aliasDuplicateObjects: false, lineWidth: 0 }));
  console.log(`ocpi-${spec.version}.yaml: ${Object.keys(doc.paths).length} paths`);
}
