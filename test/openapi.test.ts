import { checkAgainstOpenApi } from './support/openapi';

describe('the OpenAPI contract check used by every test hub', () => {
  it('accepts a conforming response', () => {
    const body = { status_code: 1000, timestamp: '2026-01-01T00:00:00Z', data: [{ version: '2.2.1', url: 'http://h/ocpi/2.2.1' }] };
    expect(checkAgainstOpenApi({ method: 'GET', path: '/ocpi/versions', status: 200, body })).toEqual([]);
  });

  it('reports a body that does not match, an undocumented endpoint and an undocumented status', () => {
    const wrong = checkAgainstOpenApi({ method: 'GET', path: '/ocpi/versions', status: 200, body: { status_code: 1000, data: 'x' } });
    expect(wrong.join()).toMatch(/timestamp/);
    expect(checkAgainstOpenApi({ method: 'GET', path: '/ocpi/2.2.1/secret', status: 200, body: {} })).toEqual([
      'GET /ocpi/2.2.1/secret → 200: not documented in openapi.yaml',
    ]);
    expect(checkAgainstOpenApi({ method: 'GET', path: '/admin/parties/123', status: 418, body: {} }).join()).toMatch(/AdminError|must have required property/);
  });
});
