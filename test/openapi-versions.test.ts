// Every version's routes are documented: each /ocpi/2.2.1 route has its /ocpi/2.3.0 twin with the same
// operations (openapi/modules/ocpi-2.3.0.yaml, written by scripts/openapi-2.3.0.ts), and the 2.3.0-only
// Payments and Invoice Reconciliation modules document exactly the routes their routers declare
// (openapi/modules/ocpi-payments.yaml, openapi/modules/ocpi-invoicereconciliation.yaml).
import { loadOpenApiDocument } from '../src/openapi-document';
import { ocpiPaymentsRouter } from '../src/hub/modules/payments/ocpi-payments.routes';
import { invoiceReconciliationRouter } from '../src/hub/modules/invoicereconciliation/invoicereconciliation.routes';
import type Router from '@koa/router';

const METHODS = ['get', 'put', 'post', 'patch', 'delete'];
const operations = (paths: Record<string, any>, prefix: string) =>
  Object.entries(paths)
    .filter(([p]) => p === prefix || p.startsWith(`${prefix}/`))
    .flatMap(([p, item]) => METHODS.filter((m) => item[m]).map((m) => `${m.toUpperCase()} ${p.slice(prefix.length)}`))
    .sort();
const PAYMENTS = /^\w+ \/(sender|receiver)\/payments(\/|$)/;
const INVOICERECONCILIATION = /^\w+ \/(sender|receiver)\/invoicereconciliation(\/|$)/;
const ONLY_230 = (o: string) => PAYMENTS.test(o) || INVOICERECONCILIATION.test(o);
/** The operations a router declares, as the document names them (building a router only registers routes). */
const declaredBy = (router: Router, version: string) =>
  router.stack.flatMap((layer) => layer.methods.filter((m) => m !== 'HEAD').map((m) => `${m} ${String(layer.path).slice(`/ocpi/${version}`.length).replace(/:(\w+)/g, '{$1}')}`)).sort();

describe('the OpenAPI document documents every OCPI version the hub can offer', () => {
  it('has the 2.3.0 twin of every 2.2.1 operation, and besides them only the Payments and Invoice Reconciliation modules under 2.3.0', () => {
    const { paths } = loadOpenApiDocument();
    const v221 = operations(paths, '/ocpi/2.2.1');
    expect(v221.length).toBeGreaterThan(25);
    expect(v221.filter(ONLY_230)).toEqual([]);
    expect(operations(paths, '/ocpi/2.3.0').filter((o) => !ONLY_230(o))).toEqual(v221);
  });

  it('documents exactly the 2.3.0 Payments routes the router declares, and the router declares none in 2.2.1', () => {
    const { paths } = loadOpenApiDocument();
    // Building the router only registers routes: no dependency is called.
    const declared = (version: '2.2.1' | '2.3.0') =>
      ocpiPaymentsRouter({} as never, version)
        .stack.flatMap((layer) => layer.methods.filter((m) => m !== 'HEAD').map((m) => `${m} ${String(layer.path).slice(`/ocpi/${version}`.length).replace(/:(\w+)/g, '{$1}')}`))
        .sort();
    expect(declared('2.2.1')).toEqual([]);
    expect(declared('2.3.0').length).toBe(12);
    expect(operations(paths, '/ocpi/2.3.0').filter((o) => PAYMENTS.test(o))).toEqual(declared('2.3.0'));
  });

  it('documents exactly the 2.3.0 Invoice Reconciliation routes the router declares, and the router declares none in 2.2.1 or 2.1.1', () => {
    const { paths } = loadOpenApiDocument();
    const declared = (version: '2.1.1' | '2.2.1' | '2.3.0') => declaredBy(invoiceReconciliationRouter({} as never, version), version);
    expect(declared('2.1.1')).toEqual([]);
    expect(declared('2.2.1')).toEqual([]);
    expect(declared('2.3.0')).toEqual([
      'DELETE /receiver/invoicereconciliation/{country_code}/{party_id}/{id}',
      'GET /receiver/invoicereconciliation/{country_code}/{party_id}/{id}',
      'GET /sender/invoicereconciliation',
      'POST /receiver/invoicereconciliation',
      'PUT /receiver/invoicereconciliation/{country_code}/{party_id}/{id}',
    ]);
    expect(operations(paths, '/ocpi/2.3.0').filter((o) => INVOICERECONCILIATION.test(o))).toEqual(declared('2.3.0'));
  });
});
