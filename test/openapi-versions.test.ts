// Every version's routes are documented: each /ocpi/2.2.1 route has its /ocpi/2.3.0 twin with the same
// operations (openapi/modules/ocpi-2.3.0.yaml, written by scripts/openapi-2.3.0.ts).
import { loadOpenApiDocument } from '../src/openapi-document';

const METHODS = ['get', 'put', 'post', 'patch', 'delete'];
const operations = (paths: Record<string, any>, prefix: string) =>
  Object.entries(paths)
    .filter(([p]) => p === prefix || p.startsWith(`${prefix}/`))
    .flatMap(([p, item]) => METHODS.filter((m) => item[m]).map((m) => `${m.toUpperCase()} ${p.slice(prefix.length)}`))
    .sort();

describe('the OpenAPI document documents every OCPI version the hub can offer', () => {
  it('has the 2.3.0 twin of every 2.2.1 operation, and nothing else under 2.3.0', () => {
    const { paths } = loadOpenApiDocument();
    const v221 = operations(paths, '/ocpi/2.2.1');
    expect(v221.length).toBeGreaterThan(25);
    expect(operations(paths, '/ocpi/2.3.0')).toEqual(v221);
  });
});
