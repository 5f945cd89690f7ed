// Deliveries are translated to the receiver's OCPI version when they are delivered (docs/versions.md).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { NewDelivery } from '../../../src/hub/routing/outbox';
import { LocationV230 } from '../../../src/core/ocpi-versions/v2.3.0/locations.v230.schema';
import { Location } from '../../../src/hub/modules/locations/locations.schema';
import { OCPI_2_3_0_EXAMPLES } from '../../support/spec-examples';
import { example } from '../../support/network';
import { fromHubTo, locationPut } from '../../support/deliveries';
import { startNetwork, type TestNetwork, waitFor } from '../../support/network';

describe('outbox: each receiver in its own OCPI version', () => {
  let net: TestNetwork;
  const setVersion = async (pid: string, version: string) => {
    await net.hub.services.db.query(`UPDATE parties SET version = $2 WHERE id = $1`, [net.parties[pid].id, version]);
    net.hub.services.parties.forget();
  };
  const push = (pid: string, method: NewDelivery['method'], id: string, body?: unknown): NewDelivery =>
    locationPut(net, pid, id, { method, body, headers: fromHubTo(pid, `corr-${id}`), version: `${method}-1` });
  const row = async (pid: string, id: string) =>
    (await net.hub.services.db.query(`SELECT status, attempts, last_error, delivered_version, losses FROM outbox WHERE party_uuid = $1 AND object_key = $2`, [net.parties[pid].id, id]))[0];

  beforeAll(async () => {
    net = await startNetwork({ cpos: [], emsps: ['NL/NEW', 'NL/OLD', 'NL/SAM'], hub: { env: { OUTBOX_BASE_BACKOFF_MS: '50', OUTBOX_MAX_ATTEMPTS: '4' } } });
  });
  afterAll(() => net.close());

  it('hands a receiver of the body’s own version the body unchanged, undocumented fields included, with nothing in the loss report', async () => {
    const body = { id: 'LOC1', undocumented: { kept: [1, 2] } };
    await net.hub.services.outbox.enqueue([push('SAM', 'PUT', 'LOC1', body)]);
    const put = await waitFor(() => net.parties.SAM.partner.received('PUT', '/ocpi/2.2.1/locations/NL/CPO/LOC1')[0], 'the delivery');
    expect(put.body).toEqual(body);
    await net.hub.services.outbox.whenIdle();
    expect(await row('SAM', 'LOC1')).toMatchObject({ status: 'delivered', delivered_version: null, losses: null });
  });

  it('translates for a receiver of another version: a 2.2.1 location reaches a 2.3.0 eMSP as valid 2.3.0', async () => {
    await setVersion('NEW', '2.3.0');
    const location = { ...example<Record<string, unknown>>('location_example.json'), id: 'LOC2' };
    await net.hub.services.outbox.enqueue([push('NEW', 'PUT', 'LOC2', location)]);
    const put = await waitFor(() => net.parties.NEW.partner.received('PUT', '/ocpi/2.2.1/locations/NL/CPO/LOC2')[0], 'the delivery');
    expect(LocationV230.safeParse(put.body).success).toBe(true);
    await net.hub.services.outbox.whenIdle();
    expect(await row('NEW', 'LOC2')).toMatchObject({ status: 'delivered', delivered_version: '2.3.0', losses: null });
  });

  it('records what the receiver’s version cannot carry: a 2.3.0 location to a 2.2.1 eMSP, with its loss report', async () => {
    const original = { ...JSON.parse(readFileSync(path.join(OCPI_2_3_0_EXAMPLES, 'location_example.json'), 'utf8')), id: 'LOC230' };
    await net.hub.services.outbox.enqueue([{ ...push('SAM', 'PUT', original.id, original), bodyVersion: '2.3.0' }]);
    const put = await waitFor(() => net.parties.SAM.partner.received('PUT', `/ocpi/2.2.1/locations/NL/CPO/${original.id}`)[0], 'the delivery');
    expect(Location.safeParse(put.body).success).toBe(true);
    await net.hub.services.outbox.whenIdle();
    const delivered = await row('SAM', original.id);
    expect(delivered).toMatchObject({ status: 'delivered', delivered_version: '2.2.1' });
    expect(delivered.losses.length).toBeGreaterThan(0);
    for (const loss of delivered.losses) expect(loss).toMatchObject({ from: '2.3.0', to: '2.2.1', kind: expect.stringMatching(/^(field_dropped|value_dropped|value_narrowed)$/) });
    // Nothing is reported that the original did not hold: every path names a field of it.
    const top = new Set(Object.keys(original));
    for (const loss of delivered.losses) expect(top.has(loss.path.split(/[.[]/)[0])).toBe(true);
    const report = await net.hub.admin.get(`/admin/parties/${net.parties.SAM.id}/losses`);
    expect(report.data.deliveries).toEqual([expect.objectContaining({ module: 'locations', body_version: '2.3.0', delivered_version: '2.2.1', losses: delivered.losses })]);
  });

  it('fails a delivery the receiver’s version cannot express, at once and visibly, without sending it', async () => {
    // A location without postal_code (required in 2.1.1): refused rather than sent incomplete or in 2.2.1 form.
    await setVersion('OLD', '2.1.1');
    await net.hub.services.outbox.enqueue([push('OLD', 'PUT', 'LOC4', { id: 'LOC4' })]);
    const failed = await waitFor(async () => ((await row('OLD', 'LOC4'))?.status === 'failed' ? row('OLD', 'LOC4') : undefined), 'the refusal');
    expect(failed.attempts).toBe(1);
    expect(failed.last_error).toMatch(/^cannot translate from OCPI 2\.2\.1 to 2\.1\.1: .*postal_code/);
    expect(net.parties.OLD.partner.received('PUT', '/ocpi/2.2.1/locations/NL/CPO/LOC4')).toHaveLength(0);
    const listed = await net.hub.admin.get(`/admin/outbox?status=failed&party=${net.parties.OLD.id}`);
    expect(listed.data.map((d: { last_error: string }) => d.last_error)).toContain(failed.last_error);
  });

  it('sends a 2.1.1 receiver no routing headers and no request ids (2.1.1 has neither)', async () => {
    await setVersion('OLD', '2.1.1');
    await net.hub.services.outbox.enqueue([push('OLD', 'DELETE', 'LOC3')]);
    const deleted = await waitFor(() => net.parties.OLD.partner.received('DELETE', '/ocpi/2.2.1/locations/NL/CPO/LOC3')[0], 'the delivery');
    for (const header of ['ocpi-to-country-code', 'ocpi-to-party-id', 'ocpi-from-country-code', 'ocpi-from-party-id', 'x-request-id', 'x-correlation-id']) {
      expect(deleted.headers[header]).toBeUndefined();
    }
    expect(deleted.headers.authorization).toBeDefined();
  });

  it('gives a 2.1.1 receiver a session PATCH with the whole Location the hub holds when it is delivered, and fails one whose Location it does not hold', async () => {
    await setVersion('OLD', '2.1.1');
    const location = example<Record<string, any>>('location_example.json');
    await net.hub.services.store.put({ module: 'locations', countryCode: 'BE', partyId: 'BEC', objectId: location.id }, location, new Date(location.last_updated));
    const patch = (id: string, locationId: string): NewDelivery => ({
      partyUuid: net.parties.OLD.id,
      module: 'sessions',
      interfaceRole: 'RECEIVER',
      method: 'PATCH',
      // A PATCH names no owner: the path does (/{country_code}/{party_id}/{id}).
      path: `/BE/BEC/${id}`,
      body: { location_id: locationId, evse_uid: '3256', connector_id: '1', last_updated: '2024-01-01T00:00:00Z' },
      objectKey: `sessions/${id}`,
      objectVersion: 'PATCH-1',
    });
    await net.hub.services.outbox.enqueue([patch('S1', location.id), patch('S2', 'NOWHERE')]);
    const delivered = await waitFor(() => net.parties.OLD.partner.received('PATCH', '/ocpi/2.2.1/sessions/BE/BEC/S1')[0], 'the 2.1.1 PATCH');
    expect(delivered.body).toMatchObject({ location: { id: location.id, evses: [{ uid: '3256', connectors: [{ id: '1' }] }] }, last_updated: '2024-01-01T00:00:00Z' });
    expect(delivered.body).not.toHaveProperty('location_id');
    await net.hub.services.outbox.whenIdle();
    const failed = (await net.hub.services.db.query(`SELECT status, last_error FROM outbox WHERE object_key = 'sessions/S2'`))[0];
    expect(failed.status).toBe('failed');
    expect(failed.last_error).toMatch(/carries the whole location; the hub must pass location NOWHERE/);
  });

  it('reports per partner through the admin API (an empty report too) and refuses a bad limit', async () => {
    const report = await net.hub.admin.get(`/admin/parties/${net.parties.SAM.id}/losses`);
    expect(report.status).toBe(200);
    expect(report.data).toMatchObject({ party: net.parties.SAM.id, version: '2.2.1' });
    const none = await net.hub.admin.get(`/admin/parties/${net.parties.NEW.id}/losses`);
    expect(none.data).toEqual({ party: net.parties.NEW.id, version: '2.3.0', deliveries: [] });
    const bad = await net.hub.admin.get(`/admin/parties/${net.parties.SAM.id}/losses?limit=0`);
    expect(bad.status).toBe(400);
  });
});
