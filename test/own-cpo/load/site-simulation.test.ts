import type { RPCClient } from 'ocpp-rpc';
import { waitFor } from '../../support/network';
import { type OwnNetwork, rfidToken, startOwnNetwork } from '../../support/own-network';

/**
 * One site, three real ocpp-rpc chargers (two 1.6, one 2.0.1) that answer SetChargingProfile: the
 * profiles each receives as cars arrive and leave and the evening peak window starts. The clock of load
 * management is moved to the window's start; everything else (OCPP, transactions, PostgreSQL) is real.
 */

interface Received {
  charger: string;
  purpose: string;
  limit: number;
  transactionId?: number | string;
  receivedAt: number;
  answeredAt?: number;
}

const SITE = {
  name: 'Depot',
  time_zone: 'Europe/Amsterdam',
  limit: { amps: 32 },
  time_windows: [{ id: 'peak', start: '17:00', end: '21:00', limit: { amps: 20 } }],
  chargers: [
    { charger_id: 'SIM-A', connectors: [{ ocpp_connector: '1', phases: 3, max_amps: 32 }] },
    { charger_id: 'SIM-B', connectors: [{ ocpp_connector: '1', phases: 3, max_amps: 32 }] },
    { charger_id: 'SIM-C', connectors: [{ ocpp_connector: '1/1', phases: 3, max_amps: 32 }] },
  ],
};

describe('load management of one site with real chargers', () => {
  let net: OwnNetwork;
  // 16:50 in Amsterdam (UTC+1 in November): ten minutes before the peak window.
  let clock = new Date('2026-11-20T15:50:00Z');
  const received: Received[] = [];
  const delayMs: Record<string, number> = {};
  const clients: Record<string, RPCClient> = {};
  // Each step a minute later, so every reallocation leaves its own load sample.
  const minuteLater = () => (clock = new Date(clock.getTime() + 60_000));
  const of = (charger: string) => received.filter((r) => r.charger === charger).map((r) => `${r.purpose} ${r.limit}`);

  function answerProfiles(id: string, client: RPCClient): void {
    client.handle('SetChargingProfile', async ({ params = {} }) => {
      const profile = params.csChargingProfiles ?? params.chargingProfile;
      const schedule = Array.isArray(profile.chargingSchedule) ? profile.chargingSchedule[0] : profile.chargingSchedule;
      const entry: Received = {
        charger: id,
        purpose: profile.chargingProfilePurpose,
        limit: schedule.chargingSchedulePeriod[0].limit,
        transactionId: profile.transactionId,
        receivedAt: performance.now(),
      };
      received.push(entry);
      if (delayMs[id]) await new Promise((r) => setTimeout(r, delayMs[id]));
      entry.answeredAt = performance.now();
      return { status: 'Accepted' };
    });
    client.handle('ClearChargingProfile', async () => ({ status: 'Accepted' }));
  }

  beforeAll(async () => {
    net = await startOwnNetwork({ emsps: ['NL/EM1'], evses: ['E1', 'E2', 'E3'] });
    net.hub.services.load.setClock(() => clock);
    await net.addCharger('SIM-A', 'ocpp1.6', 'SITE1', 'E1');
    await net.addCharger('SIM-B', 'ocpp1.6', 'SITE1', 'E2');
    await net.addCharger('SIM-C', 'ocpp2.0.1', 'SITE1', 'E3');
    for (const [id, protocol] of [['SIM-A', 'ocpp1.6'], ['SIM-B', 'ocpp1.6'], ['SIM-C', 'ocpp2.0.1']] as const) {
      clients[id] = await net.connect(id, protocol);
      answerProfiles(id, clients[id]);
    }
    for (const uid of ['CAR-A', 'CAR-B', 'CAR-C']) await net.pushToken('EM1', rfidToken(net.parties.EM1, uid));
  });
  afterAll(async () => {
    await net.close();
  });

  const settle = async (counts: Record<string, number>, what: string) => {
    await waitFor(() => Object.entries(counts).every(([id, n]) => received.filter((r) => r.charger === id).length >= n), what);
    // Nothing more arrives for this step.
    await new Promise((r) => setTimeout(r, 250));
    for (const [id, n] of Object.entries(counts)) expect(`${id}: ${received.filter((r) => r.charger === id).length}`).toBe(`${id}: ${n}`);
  };

  const start16 = async (id: string, idTag: string) =>
    (
      (await clients[id].call('StartTransaction', { connectorId: 1, idTag, meterStart: 0, timestamp: new Date().toISOString() })) as {
        transactionId: number;
      }
    ).transactionId;

  it('plays an evening: idle defaults, arrivals, the peak window, a departure', async () => {
    const put = await net.hub.admin.put('/admin/sites/DEPOT', SITE);
    expect(put.status).toBe(201);

    // Idle: every connector waits at 0 A (1.6 TxDefaultProfile, 2.0.1 station maximum) until a car gets a share.
    await settle({ 'SIM-A': 1, 'SIM-B': 1, 'SIM-C': 1 }, 'the idle profiles');
    expect(of('SIM-A')).toEqual(['TxDefaultProfile 0']);
    expect(of('SIM-B')).toEqual(['TxDefaultProfile 0']);
    expect(of('SIM-C')).toEqual(['ChargingStationMaxProfile 0']);

    // Car A arrives alone: all 32 A, bound to its transaction.
    minuteLater();
    const txA = await start16('SIM-A', 'CAR-A');
    await settle({ 'SIM-A': 2, 'SIM-B': 1, 'SIM-C': 1 }, 'car A\'s profile');
    expect(of('SIM-A')[1]).toBe('TxProfile 32');
    expect(received.at(-1)!.transactionId).toBe(txA);

    // Car B arrives: A is lowered to 16 A and only once A has accepted does B get its 16 A.
    delayMs['SIM-A'] = 300;
    minuteLater();
    const txB = await start16('SIM-B', 'CAR-B');
    await settle({ 'SIM-A': 3, 'SIM-B': 2, 'SIM-C': 1 }, 'the split between A and B');
    delayMs['SIM-A'] = 0;
    expect(of('SIM-A')[2]).toBe('TxProfile 16');
    expect(of('SIM-B')[1]).toBe('TxProfile 16');
    const lowerA = received.filter((r) => r.charger === 'SIM-A')[2];
    const raiseB = received.filter((r) => r.charger === 'SIM-B')[1];
    expect(raiseB.transactionId).toBe(txB);
    expect(raiseB.receivedAt).toBeGreaterThanOrEqual(lowerA.answeredAt!);

    // Car C arrives at the 2.0.1 station: 32 / 3 = 10.6 A each; the station maximum rises with C's share.
    minuteLater();
    await clients['SIM-C'].call('TransactionEvent', {
      eventType: 'Started',
      timestamp: new Date().toISOString(),
      triggerReason: 'Authorized',
      seqNo: 0,
      transactionInfo: { transactionId: 'TX-C' },
      evse: { id: 1, connectorId: 1 },
      idToken: { idToken: 'CAR-C', type: 'ISO14443' },
    });
    await settle({ 'SIM-A': 4, 'SIM-B': 3, 'SIM-C': 3 }, 'three cars sharing');
    expect(of('SIM-A')[3]).toBe('TxProfile 10.6');
    expect(of('SIM-B')[2]).toBe('TxProfile 10.6');
    expect(of('SIM-C').slice(1).sort()).toEqual(['ChargingStationMaxProfile 10.6', 'TxProfile 10.6']);
    const cRaises = received.filter((r) => r.charger === 'SIM-C').slice(1);
    expect(cRaises.find((r) => r.purpose === 'TxProfile')!.transactionId).toBe('TX-C');
    const lowerings = [received.filter((r) => r.charger === 'SIM-A')[3], received.filter((r) => r.charger === 'SIM-B')[2]];
    for (const raise of cRaises) for (const lower of lowerings) expect(raise.receivedAt).toBeGreaterThanOrEqual(lower.answeredAt!);

    // 17:00: the peak window lowers the site to 20 A: 6.6 A each, all lowerings.
    clock = new Date('2026-11-20T16:00:00Z');
    expect(await net.hub.services.load.tick()).toBe(1);
    await settle({ 'SIM-A': 5, 'SIM-B': 4, 'SIM-C': 5 }, 'the peak window');
    expect(of('SIM-A')[4]).toBe('TxProfile 6.6');
    expect(of('SIM-B')[3]).toBe('TxProfile 6.6');
    expect(of('SIM-C').slice(3).sort()).toEqual(['ChargingStationMaxProfile 6.6', 'TxProfile 6.6']);

    // Car A leaves: its connector goes back to waiting at 0 A; B and C share the peak limit, 10 A each.
    minuteLater();
    await clients['SIM-A'].call('StopTransaction', { transactionId: txA, meterStop: 5000, timestamp: new Date().toISOString() });
    await settle({ 'SIM-A': 6, 'SIM-B': 5, 'SIM-C': 7 }, 'car A leaving');
    expect(of('SIM-A')[5]).toBe('TxDefaultProfile 0');
    expect(of('SIM-B')[4]).toBe('TxProfile 10');
    expect(of('SIM-C').slice(5).sort()).toEqual(['ChargingStationMaxProfile 10', 'TxProfile 10']);

    // The operator sees it all, and the dashboard's samples never show more allocated than the limit.
    const state = (await net.hub.admin.get('/admin/sites/DEPOT/state')).data;
    expect(state.chargers.map((c: { state: string }) => c.state)).toEqual(['ok', 'ok', 'ok']);
    expect(state.allocation.nodes[0]).toMatchObject({ node_id: 'DEPOT', capacity_amps: 20, active_windows: ['peak'] });
    expect(state.allocation.connectors.map((c: { connector_key: string; limit_amps: number; reason: string }) => [c.connector_key, c.limit_amps, c.reason])).toEqual([
      ['SIM-A/1', 0, 'idle'],
      ['SIM-B/1', 10, 'fair-share'],
      ['SIM-C/1/1', 10, 'fair-share'],
    ]);
    const samples: { allocated_w: number; limit_w: number }[] = await net.hub.services.db.query(
      `SELECT allocated_w, limit_w FROM site_load_samples WHERE site_id = 'DEPOT' ORDER BY at`,
    );
    expect(samples.length).toBe(6);
    for (const s of samples) expect(s.allocated_w).toBeLessThanOrEqual(s.limit_w);
    expect(samples.at(-1)).toEqual({ allocated_w: 2 * 3 * 230 * 10, limit_w: 3 * 230 * 20 });
  });

  it('holds raises back while a lowering is refused, retries, then excludes the charger and reserves its full rating', async () => {
    // 21:00: the window ends; B and C share the full 32 A.
    clock = new Date('2026-11-20T20:00:00Z');
    const raised = (await net.hub.admin.post('/admin/sites/DEPOT/reallocate')).data;
    expect(raised.sent.filter((s: { ok: boolean }) => s.ok).map((s: { connector_key: string; limit_amps: number }) => `${s.connector_key} ${s.limit_amps}`).sort()).toEqual([
      'SIM-B/1 16',
      'SIM-C#station 16',
      'SIM-C/1/1 16',
    ]);

    // B starts refusing; car A comes back. B's lowering fails, so A's raise is held back: nothing reaches A.
    clients['SIM-B'].handle('SetChargingProfile', async () => ({ status: 'Rejected' }));
    const toA = received.filter((r) => r.charger === 'SIM-A').length;
    minuteLater();
    await start16('SIM-A', 'CAR-A');
    const retrying = await waitFor(async () => {
      const s = (await net.hub.admin.get('/admin/sites/DEPOT/state')).data;
      return s.chargers.find((c: { charger_id: string; state: string }) => c.charger_id === 'SIM-B' && c.state === 'retrying') && s;
    }, 'SIM-B retrying');
    expect(retrying.allocation.held_back_raises).toBe(1);
    expect(retrying.chargers.find((c: { charger_id: string }) => c.charger_id === 'SIM-B')).toMatchObject({ consecutive_failures: 1, last_error: expect.stringContaining('Rejected') });
    expect(received.filter((r) => r.charger === 'SIM-A')).toHaveLength(toA);

    // The tick retries it; after 3 failed rounds it is excluded, and the site assumes it draws its full 32 A.
    await net.hub.services.load.tick();
    await net.hub.services.load.tick();
    const excluded = await waitFor(async () => {
      const s = (await net.hub.admin.get('/admin/sites/DEPOT/state')).data;
      return s.chargers.some((c: { charger_id: string; state: string }) => c.charger_id === 'SIM-B' && c.state === 'excluded') && s.allocation.reason === 'charger-excluded' && s;
    }, 'SIM-B excluded and the site reallocated');
    const limits = Object.fromEntries(excluded.allocation.connectors.map((c: { connector_key: string; limit_amps: number }) => [c.connector_key, c.limit_amps]));
    expect(limits).toEqual({ 'SIM-A/1': 0, 'SIM-B/1': 32, 'SIM-C/1/1': 0 });
    expect(of('SIM-C').slice(-2).sort()).toEqual(['ChargingStationMaxProfile 0', 'TxProfile 0']);
    expect(received.filter((r) => r.charger === 'SIM-A')).toHaveLength(toA);

    // The operator includes it again once it is fixed: it accepts, and the three share the site.
    answerProfiles('SIM-B', clients['SIM-B']);
    expect((await net.hub.admin.post('/admin/sites/DEPOT/chargers/SIM-B/include')).status).toBe(204);
    const back = await waitFor(async () => {
      const s = (await net.hub.admin.get('/admin/sites/DEPOT/state')).data;
      return s.chargers.every((c: { state: string }) => c.state === 'ok') && s.allocation.reason === 'charger-included' && s;
    }, 'SIM-B back in load management');
    expect(back.allocation.connectors.map((c: { limit_amps: number }) => c.limit_amps)).toEqual([10.6, 10.6, 10.6]);
    await waitFor(() => of('SIM-A').at(-1) === 'TxProfile 10.6', 'car A\'s share');
  });
});
