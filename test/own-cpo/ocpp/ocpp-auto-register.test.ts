import { callErrorOf, connectChargePoint, refusedWith } from '../../support/charge-point';
import { waitFor } from '../../support/network';
import { startTestHub, type TestHub } from '../../support/test-hub';

describe('OCPP_AUTO_REGISTER=true', () => {
  let hub: TestHub;
  beforeAll(async () => {
    hub = await startTestHub({ env: { OCPP_AUTO_REGISTER: 'true' } });
  });
  afterAll(() => hub.close());

  it('creates an unknown charger PENDING with the password it presented, and serves only its BootNotification until approved', async () => {
    const client = await connectChargePoint(hub, { id: 'NEW-1', password: 'first-use-password-1', protocol: 'ocpp1.6' });
    try {
      expect(await client.call('BootNotification', { chargePointVendor: 'V', chargePointModel: 'M' })).toMatchObject({ status: 'Pending', interval: 300 });
      expect(await callErrorOf(client, 'Heartbeat', {})).toBe('SecurityError');
      expect((await hub.admin.get('/admin/chargers/NEW-1')).data).toMatchObject({ status: 'PENDING', boot: { vendor: 'V' }, connection: { connected: true } });

      // Trust on first use: the identity is now bound to that password.
      expect(await refusedWith(hub, { id: 'NEW-1', password: 'another-password-22', protocol: 'ocpp1.6' })).toBe(401);

      expect((await hub.admin.patch('/admin/chargers/NEW-1', { status: 'ACCEPTED' })).data.charger.status).toBe('ACCEPTED');
      expect(await client.call('BootNotification', { chargePointVendor: 'V', chargePointModel: 'M' })).toMatchObject({ status: 'Accepted' });
      expect(await client.call('Heartbeat', {})).toHaveProperty('currentTime');
    } finally {
      await client.close();
    }
  });

  it('still refuses a charger without a password, and one whose id differs from a registered one only in case', async () => {
    expect(await refusedWith(hub, { id: 'NEW-2', protocol: 'ocpp2.0.1' })).toBe(401);
    expect(await refusedWith(hub, { id: 'new-1', password: 'first-use-password-1', protocol: 'ocpp2.0.1' })).toBe(401);
    const ids = (await hub.admin.get('/admin/chargers')).data.map((c: { id: string }) => c.id);
    expect(ids).toEqual(['NEW-1']);
  });

  it('registers a charger once when it connects twice at the same moment', async () => {
    const options = { id: 'TWIN', password: 'twin-password-123456', protocol: 'ocpp2.0.1' as const };
    const clients = await Promise.all([connectChargePoint(hub, options), connectChargePoint(hub, options)]);
    await waitFor(() => clients.filter((c) => c.state === 1).length === 1, 'one of the two to be replaced');
    expect((await hub.services.db.query(`SELECT count(*)::int AS n FROM chargers WHERE id = 'TWIN'`))[0].n).toBe(1);
    await Promise.all(clients.map((c) => c.close()));
  });
});
