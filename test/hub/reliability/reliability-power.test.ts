import type { RPCClient } from 'ocpp-rpc';
import { POWER_SHORTFALL_RATIO } from '../../../src/core/reliability/reliability-core';
import { ReliabilityFacts } from '../../../src/hub/reliability/reliability-facts';
import { waitFor } from '../../support/network';
import { rfidToken, startOwnNetwork, type OwnNetwork } from '../../support/own-network';

const M = 60_000;

/**
 * Offered power of own chargers, end to end with a real ocpp-rpc charger: the site's limit is what the
 * load manager offers the connector (below the connector's rating), the car draws far less than that,
 * and the reliability report shows the energy against the expected and the power shortfall.
 */
describe('offered against delivered power of an own charger as reliability facts', () => {
  let net: OwnNetwork;
  let cp: RPCClient;
  const profiles: number[] = [];
  // The load manager's clock, set in the past so that the charger's readings can fall after its offers.
  const T0 = Math.floor((Date.now() - 30 * M) / 1000) * 1000;
  const iso = (t: number) => new Date(t).toISOString();

  beforeAll(async () => {
    net = await startOwnNetwork({ emsps: ['NL/EMP'], evses: ['E1'] });
    await net.addCharger('PW-1', 'ocpp1.6', 'SITE1', 'E1');
    cp = await net.connect('PW-1', 'ocpp1.6');
    cp.handle('SetChargingProfile', async ({ params = {} }) => {
      profiles.push(params.csChargingProfiles.chargingSchedule.chargingSchedulePeriod[0].limit);
      return { status: 'Accepted' };
    });
    net.hub.services.load.setClock(() => new Date(T0));
  });
  afterAll(async () => net?.close());

  const db = () => net.hub.services.db;
  const offers = async () =>
    (await db().query(`SELECT watts, car_bound, from_at FROM connector_power_offers WHERE charger_id = 'PW-1' ORDER BY from_at, id`)) as { watts: number; car_bound: boolean; from_at: Date }[];

  it('keeps each change of the offer once, and reads the shortfall and the energy against expected', async () => {
    // A 32 A connector on a site limited to 16 A: the site's limit is the offer (16 A × 3 × 230 V).
    const site = { time_zone: 'Europe/Amsterdam', limit: { amps: 16 }, chargers: [{ charger_id: 'PW-1', connectors: [{ ocpp_connector: '1', phases: 3, max_amps: 32 }] }] };
    expect((await net.hub.admin.put('/admin/sites/PW', site)).status).toBe(201);
    await waitFor(async () => (await offers()).length === 1, 'the idle offer');
    await net.hub.services.load.request('PW', 'again'); // the same limit again: no new row
    expect((await offers()).map((o) => o.watts)).toEqual([0]);

    const start = T0 + M;
    net.hub.services.load.setClock(() => new Date(start));
    await net.pushToken('EMP', rfidToken(net.parties.EMP, 'PW-DRIVER'));
    const { transactionId } = (await cp.call('StartTransaction', { connectorId: 1, idTag: 'PW-DRIVER', meterStart: 0, timestamp: iso(start) })) as { transactionId: number };
    await waitFor(async () => profiles.at(-1) === 16 && (await offers()).length === 2, 'the 16 A offer');
    expect((await offers()).map((o) => [o.watts, o.car_bound, o.from_at.getTime()])).toEqual([[0, false, T0], [16 * 3 * 230, false, start]]);

    // The car draws 3 kW, far below the 11.04 kW offered, at each reading.
    const wh = (t: number) => Math.round((3000 * (t - start)) / 3_600_000);
    for (const minutes of [3, 5, 7, 9]) {
      const t = T0 + minutes * M;
      await cp.call('MeterValues', {
        connectorId: 1,
        transactionId,
        meterValue: [{ timestamp: iso(t), sampledValue: [{ value: String(wh(t)), measurand: 'Energy.Active.Import.Register', unit: 'Wh' }, { value: '3000', measurand: 'Power.Active.Import', unit: 'W' }] }],
      });
    }
    const stop = T0 + 10 * M;
    net.hub.services.load.setClock(() => new Date(stop));
    await cp.call('StopTransaction', { transactionId, meterStop: wh(stop), timestamp: iso(stop), reason: 'EVDisconnected' });
    await waitFor(async () => (await offers()).length === 3, 'the offer back to 0 when the car left');

    const own = net.hub.services.ownCpo;
    const evse = `${own.countryCode}/${own.partyId}/SITE1/E1`;
    const facts = new ReliabilityFacts({ db: db(), ownCpo: own });
    const [ref] = await facts.evses({ evse });
    const period = { from: T0, to: Date.now() + M };
    const [h] = await facts.histories([ref], period);
    expect(h.power).toEqual([3, 5, 7, 9].map((m) => ({ at: T0 + m * M, offeredKw: 11.04, deliveredKw: 3 })));
    expect(h.power.every((s) => s.deliveredKw < POWER_SHORTFALL_RATIO * s.offeredKw)).toBe(true);
    const [attempt] = h.attempts;
    expect(attempt.energyWh).toBe(wh(stop));
    // Expected: 11.04 kW over the 9 minutes energy flowed.
    expect(attempt.expectedEnergyWh).toBeCloseTo((11_040 * 9 * M) / 3_600_000, 6);

    // The report: energy well below expected, every sample short, and the health signal reads it.
    const report = await net.hub.admin.get(`/admin/reliability/evses/${encodeURIComponent(evse)}?from=${iso(period.from)}&to=${iso(period.to)}`);
    expect(report.status).toBe(200);
    expect(report.data.energy_ratio).toBeCloseTo(3000 / 11_040, 2);
    expect(report.data.power_shortfall_share).toBe(1);
    expect(report.data.health.not_observed).not.toContain('power_shortfall');
    expect(report.data.health.signals.map((s: { signal: string }) => s.signal)).toContain('power_shortfall');
  });
});
