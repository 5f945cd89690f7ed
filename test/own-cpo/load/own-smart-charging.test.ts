import type { RPCClient } from 'ocpp-rpc';
import { waitFor } from '../../support/network';
import { type OwnNetwork, rfidToken, startOwnNetwork } from '../../support/own-network';

/**
 * OCPI smart charging of sessions at the own chargers, answered by the hub itself: an eMSP's
 * ChargingPreferences feed departure urgency into the site's allocation, and a ChargingProfile set on a
 * session caps it within the site limit, with results delivered to the requester's response_url.
 */
describe('OCPI charging preferences and profiles for sessions of the own CPO', () => {
  let net: OwnNetwork;
  const limits: Record<string, number[]> = { 'SP-1': [], 'SP-2': [] };
  const clients: Record<string, RPCClient> = {};
  const sessionOf: Record<string, string> = {};
  const txOf: Record<string, number> = {};
  const emsp = () => net.parties.EM1;
  const state = async () => (await net.hub.admin.get('/admin/sites/SMART/state')).data;
  const limitOf = async (charger: string) =>
    (await state()).allocation.connectors.find((c: { charger_id: string }) => c.charger_id === charger) as { limit_amps: number; reason: string };

  beforeAll(async () => {
    net = await startOwnNetwork({ emsps: ['NL/EM1'], evses: ['E1', 'E2'] });
    await net.addCharger('SP-1', 'ocpp1.6', 'SITE1', 'E1');
    await net.addCharger('SP-2', 'ocpp1.6', 'SITE1', 'E2');
    for (const id of ['SP-1', 'SP-2']) {
      clients[id] = await net.connect(id, 'ocpp1.6');
      clients[id].handle('SetChargingProfile', async ({ params = {} }) => {
        limits[id].push(params.csChargingProfiles.chargingSchedule.chargingSchedulePeriod[0].limit);
        return { status: 'Accepted' };
      });
    }
    const site = {
      time_zone: 'Europe/Amsterdam',
      limit: { amps: 32 },
      chargers: ['SP-1', 'SP-2'].map((id) => ({ charger_id: id, connectors: [{ ocpp_connector: '1', phases: 3, max_amps: 32 }] })),
    };
    expect((await net.hub.admin.put('/admin/sites/SMART', site)).status).toBe(201);
    for (const [id, uid] of [['SP-1', 'DRIVER-1'], ['SP-2', 'DRIVER-2']]) {
      await net.pushToken('EM1', rfidToken(emsp(), uid));
      const started = (await clients[id].call('StartTransaction', { connectorId: 1, idTag: uid, meterStart: 0, timestamp: new Date().toISOString() })) as { transactionId: number };
      txOf[id] = started.transactionId;
      sessionOf[id] = (await net.hub.services.transactions.find(id, String(started.transactionId)))!.sessionId;
    }
    await waitFor(async () => (await limitOf('SP-2'))?.limit_amps === 16 && limits['SP-2'].at(-1) === 16, 'two cars at 16 A each');
  });
  afterAll(async () => {
    await net.close();
  });

  const preferences = (session: string, body: unknown) => emsp().ocpi.put(`/sender/sessions/${session}/charging_preferences`, body);

  it('answers ChargingPreferences itself and gives an early departure the energy it needs first', async () => {
    const departure = new Date(Date.now() + 2 * 3_600_000).toISOString();
    // 40 kWh in 2 h on 3 phases is 29 A on average: more than half the site.
    const accepted = await preferences(sessionOf['SP-1'], { profile_type: 'REGULAR', departure_time: departure, energy_need: 40 });
    expect(accepted.data).toMatchObject({ status_code: 1000, data: 'ACCEPTED' });
    const [stored] = await net.hub.services.db.query(`SELECT profile_type, energy_need_kwh FROM session_charging_preferences WHERE session_id = $1`, [sessionOf['SP-1']]);
    expect(stored).toEqual({ profile_type: 'REGULAR', energy_need_kwh: 40 });
    await waitFor(async () => (await limitOf('SP-1')).reason === 'urgent', 'the urgent allocation');
    expect(await limitOf('SP-1')).toMatchObject({ limit_amps: 26, reason: 'urgent' });
    expect(await limitOf('SP-2')).toMatchObject({ limit_amps: 6, reason: 'minimum' });
    await waitFor(() => limits['SP-1'].at(-1) === 26 && limits['SP-2'].at(-1) === 6, 'the chargers at 26 A and 6 A');
  });

  it('names what is missing or unsupported in the preferences, and stores nothing then', async () => {
    const soon = new Date(Date.now() + 3_600_000).toISOString();
    const cases: [unknown, string][] = [
      [{ profile_type: 'CHEAP', departure_time: soon, energy_need: 10 }, 'PROFILE_TYPE_NOT_SUPPORTED'],
      [{ profile_type: 'REGULAR', energy_need: 10 }, 'DEPARTURE_REQUIRED'],
      [{ profile_type: 'FAST', departure_time: soon }, 'ENERGY_NEED_REQUIRED'],
      [{ profile_type: 'REGULAR', departure_time: new Date(Date.now() - 60_000).toISOString(), energy_need: 10 }, 'NOT_POSSIBLE'],
    ];
    for (const [body, expected] of cases) {
      expect((await preferences(sessionOf['SP-2'], body)).data).toMatchObject({ status_code: 1000, data: expected });
    }
    expect(await net.hub.services.db.query(`SELECT * FROM session_charging_preferences WHERE session_id = $1`, [sessionOf['SP-2']])).toEqual([]);
    expect((await preferences(sessionOf['SP-2'], { profile_type: 'SLOW' })).data.status_code).toBe(2001);
  });

  it('honours a ChargingProfile set on a session within the site limit, and reports results to the response_url', async () => {
    const responseUrl = (n: number) => `${emsp().partner.url}/ocpi/2.2.1/chargingprofiles/results/${n}`;
    const resultAt = (n: number) => waitFor(() => emsp().partner.received('POST', `/ocpi/2.2.1/chargingprofiles/results/${n}`)[0], `result ${n}`);

    // The SCSP caps the urgent car at 10 A: the other car gets the rest.
    const set = await emsp().ocpi.put(`/receiver/chargingprofiles/${sessionOf['SP-1']}`, {
      charging_profile: { charging_rate_unit: 'A', charging_profile_period: [{ start_period: 0, limit: 10 }] },
      response_url: responseUrl(1),
    });
    expect(set.data).toMatchObject({ status_code: 1000, data: { result: 'ACCEPTED', timeout: 30 } });
    expect((await resultAt(1)).body).toEqual({ result: 'ACCEPTED' });
    expect(await limitOf('SP-1')).toMatchObject({ limit_amps: 10, reason: 'at-maximum' });
    expect(await limitOf('SP-2')).toMatchObject({ limit_amps: 22 });
    await waitFor(() => limits['SP-1'].at(-1) === 10 && limits['SP-2'].at(-1) === 22, 'the chargers at 10 A and 22 A');

    // The active profile, as the charger has it in force.
    const active = await emsp().ocpi.get(`/receiver/chargingprofiles/${sessionOf['SP-1']}`, { params: { duration: 900, response_url: responseUrl(2) } });
    expect(active.data).toMatchObject({ status_code: 1000, data: { result: 'ACCEPTED' } });
    expect((await resultAt(2)).body).toEqual({
      result: 'ACCEPTED',
      profile: { start_date_time: expect.any(String), charging_profile: { charging_rate_unit: 'A', duration: 900, charging_profile_period: [{ start_period: 0, limit: 10 }] } },
    });

    // A profile can never lift a car above the site's share: 69 kW (100 A on 3 × 230 V) asked, the site decides.
    await emsp().ocpi.put(`/receiver/chargingprofiles/${sessionOf['SP-2']}`, {
      charging_profile: { charging_rate_unit: 'W', charging_profile_period: [{ start_period: 0, limit: 69000 }] },
      response_url: responseUrl(3),
    });
    expect((await resultAt(3)).body).toEqual({ result: 'ACCEPTED' });
    expect(await limitOf('SP-2')).toMatchObject({ limit_amps: 22 });

    // Cleared: the urgent car is urgent again.
    const cleared = await emsp().ocpi.delete(`/receiver/chargingprofiles/${sessionOf['SP-1']}`, { params: { response_url: responseUrl(4) } });
    expect(cleared.data).toMatchObject({ status_code: 1000, data: { result: 'ACCEPTED' } });
    expect((await resultAt(4)).body).toEqual({ result: 'ACCEPTED' });
    expect(await limitOf('SP-1')).toMatchObject({ limit_amps: 26, reason: 'urgent' });
  });

  it('answers UNKNOWN_SESSION for a session that has ended', async () => {
    await clients['SP-2'].call('StopTransaction', { transactionId: txOf['SP-2'], meterStop: 1000, timestamp: new Date().toISOString() });
    const answer = await emsp().ocpi.put(`/receiver/chargingprofiles/${sessionOf['SP-2']}`, {
      charging_profile: { charging_rate_unit: 'A', charging_profile_period: [{ start_period: 0, limit: 10 }] },
      response_url: `${emsp().partner.url}/ocpi/2.2.1/chargingprofiles/results/9`,
    });
    expect(answer.data).toMatchObject({ status_code: 1000, data: { result: 'UNKNOWN_SESSION' } });
    expect((await preferences(sessionOf['SP-2'], { profile_type: 'REGULAR' })).data).toMatchObject({ data: 'NOT_POSSIBLE' });
  });
});
