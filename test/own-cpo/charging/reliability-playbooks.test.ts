import type { RPCClient } from 'ocpp-rpc';
import { ReliabilityPlaybooks } from '../../../src/own-cpo/charging/reliability-playbooks';
import { waitFor } from '../../support/network';
import { OWN, type OwnNetwork, rfidToken, startOwnNetwork } from '../../support/own-network';

const M = 60_000;

describe('guarded playbooks on real chargers: soft then hard reset, Inoperative for a failing connector, never during a transaction, at most N a day, audited', () => {
  let net: OwnNetwork;
  const clients: Record<string, RPCClient> = {};
  const received: Record<string, { action: string; params: unknown }[]> = {};
  let skipped = 0;
  let playbooks: ReliabilityPlaybooks;

  beforeAll(async () => {
    net = await startOwnNetwork({ emsps: ['NL/EM1'], evses: ['E1', 'E2', 'E3', 'E4'] });
    for (const [id, evse] of [['PB-1', 'E1'], ['PB-2', 'E2'], ['PB-3', 'E3'], ['PB-OFF', 'E4']]) {
      await net.addCharger(id, 'ocpp1.6', 'SITE1', evse);
      clients[id] = await net.connect(id, 'ocpp1.6');
      received[id] = [];
      for (const action of ['Reset', 'ChangeAvailability'])
        clients[id].handle(action, async ({ params }) => {
          received[id].push({ action, params });
          return { status: 'Accepted' };
        });
    }
    const site = (chargers: string[]) => ({
      time_zone: 'Europe/Amsterdam',
      limit: { amps: 64 },
      chargers: chargers.map((id) => ({ charger_id: id, connectors: [{ ocpp_connector: '1', phases: 3, max_amps: 32 }] })),
    });
    expect((await net.hub.admin.put('/admin/sites/PLAY', site(['PB-1', 'PB-2', 'PB-3']))).status).toBe(201);
    expect((await net.hub.admin.put('/admin/sites/NOPLAY', site(['PB-OFF']))).status).toBe(201);
    // Opt in PLAY with two actions a day; NOPLAY stays off.
    const put = await net.hub.admin.put('/admin/reliability/playbooks/PLAY', { enabled: true, max_actions_per_day: 2 });
    expect(put.data).toMatchObject({ site_id: 'PLAY', enabled: true, max_actions_per_day: 2 });
    playbooks = new ReliabilityPlaybooks({ ...net.hub.services, calls: net.hub.services.chargerCalls, now: () => new Date(Date.now() + skipped) });
  });
  afterAll(async () => net?.close());

  const actions = async (charger: string) => (await net.hub.admin.get(`/admin/reliability/actions?charger=${charger}`)).data.actions as { action: string | null; outcome: string; reason: string }[];

  it('refuses a bad setting and an unknown site', async () => {
    expect((await net.hub.admin.put('/admin/reliability/playbooks/PLAY', { enabled: true, max_actions_per_day: 0 })).status).toBe(400);
    expect((await net.hub.admin.put('/admin/reliability/playbooks/NOSUCH', { enabled: true })).status).toBe(404);
    expect((await net.hub.admin.get('/admin/reliability/playbooks')).data.playbooks).toEqual([expect.objectContaining({ site_id: 'PLAY', max_actions_per_day: 2 })]);
  });

  it('resets soft, waits, resets hard, then stops at the daily limit; each decision audited', async () => {
    const alert = [{ subject: 'charger:PB-1', kind: 'charger_offline' }];
    expect((await playbooks.run(alert)).map((r) => [r.action, r.outcome])).toEqual([['soft_reset', 'accepted']]);
    expect(received['PB-1']).toEqual([{ action: 'Reset', params: { type: 'Soft' } }]);
    // Within 30 minutes: held back, audited once however often the job looks.
    expect((await playbooks.run(alert)).map((r) => [r.action, r.outcome])).toEqual([[null, 'skipped']]);
    expect(await playbooks.run(alert)).toEqual([]);
    skipped += 31 * M;
    expect((await playbooks.run(alert)).map((r) => [r.action, r.outcome])).toEqual([['hard_reset', 'accepted']]);
    expect(received['PB-1'].at(-1)).toEqual({ action: 'Reset', params: { type: 'Hard' } });
    skipped += 31 * M;
    const limited = await playbooks.run(alert);
    expect(limited.map((r) => [r.action, r.reason])).toEqual([[null, '2 actions in the last 24 hours: the limit is 2']]);
    expect(received['PB-1']).toHaveLength(2);
    expect((await actions('PB-1')).map((a) => a.action ?? a.outcome)).toEqual(['skipped', 'hard_reset', 'skipped', 'soft_reset']);
  });

  it('never resets a charger while a transaction runs on it', async () => {
    await net.pushToken('EM1', rfidToken({ countryCode: 'NL', partyId: 'EM1' }, 'DRIVER-PB2'));
    const started = (await clients['PB-2'].call('StartTransaction', { connectorId: 1, idTag: 'DRIVER-PB2', meterStart: 0, timestamp: new Date().toISOString() })) as { transactionId: number };
    expect(started.transactionId).toEqual(expect.any(Number));
    const records = await playbooks.run([{ subject: 'charger:PB-2', kind: 'charger_offline' }]);
    expect(records.map((r) => [r.action, r.outcome])).toEqual([[null, 'skipped']]);
    expect(records[0].reason).toMatch(/no reset during a transaction/);
    expect(received['PB-2']).toEqual([]);
  });

  it('makes a failing own EVSE Inoperative on its connector, and its OCPI status follows the charger', async () => {
    const records = await playbooks.run([{ subject: `${OWN.countryCode}/${OWN.partyId}/SITE1/E3`, kind: 'available_while_failing' }]);
    expect(records.map((r) => [r.action, r.outcome])).toEqual([['inoperative', 'accepted']]);
    expect(received['PB-3']).toEqual([{ action: 'ChangeAvailability', params: { connectorId: 1, type: 'Inoperative' } }]);
    // The charger reports the connector Unavailable: the EVSE shows INOPERATIVE (and joins the status history).
    await clients['PB-3'].call('StatusNotification', { connectorId: 1, errorCode: 'NoError', status: 'Unavailable', timestamp: new Date().toISOString() });
    await waitFor(async () => (await net.hub.services.locations.storedOf(net.hub.services.ownCpo, 'SITE1'))?.evses?.find((e) => e.uid === 'E3')?.status === 'INOPERATIVE', 'E3 INOPERATIVE');
    // The history is written by a listener after the location is stored: wait for its row.
    const latest = async () => (await net.hub.services.db.query(`SELECT status, own FROM evse_status_history WHERE location_id = 'SITE1' AND evse_uid = 'E3' ORDER BY id DESC LIMIT 1`))[0];
    await waitFor(async () => (await latest())?.status === 'INOPERATIVE' || undefined, 'E3 INOPERATIVE in the status history');
    expect(await latest()).toEqual({ status: 'INOPERATIVE', own: true });
  });

  it('does nothing, and audits nothing, at a site that did not opt in', async () => {
    expect(await playbooks.run([{ subject: 'charger:PB-OFF', kind: 'charger_offline' }])).toEqual([]);
    expect(received['PB-OFF']).toEqual([]);
    expect(await actions('PB-OFF')).toEqual([]);
  });
});
