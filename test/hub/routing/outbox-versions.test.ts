// Deliveries are translated to the receiver's OCPI version when they are delivered (docs/versions.md).
import type { NewDelivery } from '../../../src/hub/routing/outbox';
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

  it('fails a delivery the receiver’s version cannot express, at once and visibly, without sending it', async () => {
    // 2.3.0 is not offered yet: with no translation into it, the delivery is refused rather than sent in 2.2.1 form.
    await setVersion('NEW', '2.3.0');
    await net.hub.services.outbox.enqueue([push('NEW', 'PUT', 'LOC2', { id: 'LOC2' })]);
    const failed = await waitFor(async () => ((await row('NEW', 'LOC2'))?.status === 'failed' ? row('NEW', 'LOC2') : undefined), 'the refusal');
    expect(failed.attempts).toBe(1);
    expect(failed.last_error).toBe('cannot translate from OCPI 2.2.1 to 2.3.0: OCPI 2.3.0 has no locations module the hub can translate to');
    expect(net.parties.NEW.partner.received('PUT', '/ocpi/2.2.1/locations/NL/CPO/LOC2')).toHaveLength(0);
    const listed = await net.hub.admin.get(`/admin/outbox?status=failed&party=${net.parties.NEW.id}`);
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

  it('reports a partner’s losses through the admin API (none yet) and refuses a bad limit', async () => {
    const report = await net.hub.admin.get(`/admin/parties/${net.parties.SAM.id}/losses`);
    expect(report.status).toBe(200);
    expect(report.data).toEqual({ party: net.parties.SAM.id, version: '2.2.1', deliveries: [] });
    const bad = await net.hub.admin.get(`/admin/parties/${net.parties.SAM.id}/losses?limit=0`);
    expect(bad.status).toBe(400);
  });
});
