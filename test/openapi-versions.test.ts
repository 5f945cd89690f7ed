// Every version's routes are documented: each /ocpi/2.2.1 route has its /ocpi/2.3.0 twin with the same
// operations (openapi/modules/ocpi-2.3.0.yaml, written by scripts/openapi-version-twins.ts), each of a module
// 2.1.1 has its /ocpi/2.1.1 twin (openapi/modules/ocpi-2.1.1.yaml, scripts/openapi-version-twins.ts), and the
// 2.3.0-only Payments and Invoice Reconciliation modules document exactly the routes their routers
// declare (openapi/modules/ocpi-payments.yaml, openapi/modules/ocpi-invoicereconciliation.yaml).
import type Router from '@koa/router';
import { loadOpenApiDocument } from '../src/openapi-document';
import { ocpiPaymentsRouter } from '../src/hub/modules/payments/ocpi-payments.routes';
import { invoiceReconciliationRouter } from '../src/hub/modules/invoicereconciliation/invoicereconciliation.routes';
import { bookingsRouter } from '../src/hub/modules/bookings/bookings.routes';
import { OCPI_VERSIONS, VERSION_FORM } from '../src/core/ocpi-versions/ocpi-versions';

const METHODS = ['get', 'put', 'post', 'patch', 'delete'];
const operations = (paths: Record<string, any>, prefix: string) =>
  Object.entries(paths)
    .filter(([p]) => p === prefix || p.startsWith(`${prefix}/`))
    .flatMap(([p, item]) => METHODS.filter((m) => item[m]).map((m) => `${m.toUpperCase()} ${p.slice(prefix.length)}`))
    .sort();
const PAYMENTS = /^\w+ \/(sender|receiver)\/payments(\/|$)/;
const INVOICERECONCILIATION = /^\w+ \/(sender|receiver)\/invoicereconciliation(\/|$)/;
const BOOKINGS = /^\w+ \/(sender|receiver)\/bookings(\/|$)/;
const ONLY_230 = (o: string) => PAYMENTS.test(o) || INVOICERECONCILIATION.test(o) || BOOKINGS.test(o);
/** The operations a router declares, as the document names them (building a router only registers routes). */
const declaredBy = (router: Router, version: string) =>
  router.stack.flatMap((layer) => layer.methods.filter((m) => m !== 'HEAD').map((m) => `${m} ${String(layer.path).slice(`/ocpi/${version}`.length).replace(/:(\w+)/g, '{$1}')}`)).sort();
/** The hub builds a module's router only for the versions whose module list has it (app.ts, VERSION_FORM). */
const versionsWith = (module: string) => OCPI_VERSIONS.filter((v) => VERSION_FORM[v].modules.includes(module));

describe('the OpenAPI document documents every OCPI version the hub can offer', () => {
  it('has the 2.3.0 twin of every 2.2.1 operation, and besides them only the Payments and Invoice Reconciliation modules under 2.3.0', () => {
    const { paths } = loadOpenApiDocument();
    const v221 = operations(paths, '/ocpi/2.2.1');
    expect(v221.length).toBeGreaterThan(25);
    expect(v221.filter(ONLY_230)).toEqual([]);
    expect(operations(paths, '/ocpi/2.3.0').filter((o) => !ONLY_230(o))).toEqual(v221);
  });

  it('documents exactly the 2.3.0 Payments routes the router declares, a module only 2.3.0 has', () => {
    const { paths } = loadOpenApiDocument();
    const declared = declaredBy(ocpiPaymentsRouter({} as never, '2.3.0'), '2.3.0');
    expect(versionsWith('payments')).toEqual(['2.3.0']);
    expect(declared.length).toBe(12);
    expect(operations(paths, '/ocpi/2.3.0').filter((o) => PAYMENTS.test(o))).toEqual(declared);
  });

  it('documents exactly the 2.3.0 Invoice Reconciliation routes the router declares, a module only 2.3.0 has', () => {
    const { paths } = loadOpenApiDocument();
    const declared = declaredBy(invoiceReconciliationRouter({} as never, '2.3.0'), '2.3.0');
    expect(versionsWith('invoicereconciliation')).toEqual(['2.3.0']);
    expect(declared).toEqual([
      'DELETE /receiver/invoicereconciliation/{country_code}/{party_id}/{id}',
      'GET /receiver/invoicereconciliation/{country_code}/{party_id}/{id}',
      'GET /sender/invoicereconciliation',
      'POST /receiver/invoicereconciliation',
      'PUT /receiver/invoicereconciliation/{country_code}/{party_id}/{id}',
    ]);
    expect(operations(paths, '/ocpi/2.3.0').filter((o) => INVOICERECONCILIATION.test(o))).toEqual(declared);
  });

  it('documents exactly the 2.3.0 Bookings routes the router declares, a module only 2.3.0 has (with the bookings extension)', () => {
    const { paths } = loadOpenApiDocument();
    const declared = declaredBy(bookingsRouter({} as never, '2.3.0'), '2.3.0');
    expect(versionsWith('bookings')).toEqual(['2.3.0']);
    expect(declared.length).toBe(11);
    expect(operations(paths, '/ocpi/2.3.0').filter((o) => BOOKINGS.test(o))).toEqual(declared);
  });

  it('has the 2.1.1 twin of every 2.2.1 operation of a module 2.1.1 has, and nothing else under 2.1.1', () => {
    const { paths } = loadOpenApiDocument();
    // 2.1.1 has no charging profiles (nor the charging preferences that came with them) and no hub client info.
    const v221 = operations(paths, '/ocpi/2.2.1').filter((op) => !/chargingprofiles|charging_preferences|hubclientinfo/.test(op));
    expect(v221).toContain('POST /sender/tokens/{token_uid}/authorize');
    expect(operations(paths, '/ocpi/2.1.1')).toEqual(v221);
  });
});
