import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { loadOpenApiDocument } from '../../src/openapi-document';

interface Operation {
  responses: Record<string, { $ref?: string; content?: { 'application/json'?: { schema?: unknown } } }>;
}

interface Document {
  paths: Record<string, Record<string, Operation>>;
  components: { responses: Record<string, { content?: { 'application/json'?: { schema?: unknown } } }> };
}

export interface RecordedResponse {
  method: string;
  path: string;
  status: number;
  body: unknown;
}

const document = loadOpenApiDocument() as unknown as Document;
const ajv = new Ajv2020({ strict: false, allErrors: true });
addFormats(ajv);
ajv.addSchema(document, 'openapi');

const templates = Object.keys(document.paths).map((template) => ({
  template,
  pattern: new RegExp(`^${template.replace(/[.]/g, '\\.').replace(/\{[^}]+\}/g, '[^/]+')}$`),
}))
  // Literal segments win over parameters: /sender/tokens/{uid}/authorize before /sender/tokens/{a}/{b}/{c}.
  .sort((a, b) => (a.template.match(/\{/g)?.length ?? 0) - (b.template.match(/\{/g)?.length ?? 0));

function pointer(...segments: string[]): string {
  return segments.map((s) => s.replace(/~/g, '~0').replace(/\//g, '~1')).join('/');
}

/**
 * Checks a real response against openapi/openapi.yaml: the path and method must be documented (except
 * the 404/405 answers to undocumented ones, and 501 to methods no route has, e.g. TRACE), the status must be listed (or `default`), and the body
 * must match its schema. Returns a list of problems, empty when it conforms.
 */
export function checkAgainstOpenApi(response: RecordedResponse): string[] {
  const what = `${response.method} ${response.path} → ${response.status}`;
  const match = templates.find((t) => t.pattern.test(response.path));
  const method = response.method.toLowerCase();
  const operation = match ? document.paths[match.template][method] : undefined;
  if (!match || !operation) {
    return [404, 405, 501].includes(response.status) ? [] : [`${what}: not documented in openapi.yaml`];
  }
  const key = String(response.status) in operation.responses ? String(response.status) : 'default';
  const declared = operation.responses[key];
  if (!declared) return [`${what}: status not documented`];
  const resolved = declared.$ref ? document.components.responses[declared.$ref.split('/').pop()!] : declared;
  if (!resolved.content?.['application/json']?.schema) return [];
  const ref = declared.$ref
    ? `openapi#/${pointer('components', 'responses', declared.$ref.split('/').pop()!, 'content', 'application/json', 'schema')}`
    : `openapi#/${pointer('paths', match.template, method, 'responses', key, 'content', 'application/json', 'schema')}`;
  const validate = ajv.getSchema(ref) ?? ajv.compile({ $ref: ref });
  if (validate(response.body)) return [];
  return [`${what}: ${ajv.errorsText(validate.errors, { dataVar: 'body' })}`];
}
