import { attemptOutcome, evseTotals } from '../../../src/core/reliability/reliability-core';
import { AUTHORIZE_WINDOW_MS, chargerConnectionFacts, ReliabilityFacts } from '../../../src/hub/reliability/reliability-facts';
import { waitFor } from '../../support/network';
import { rfidToken, startOwnNetwork, type OwnNetwork } from '../../support/own-network';

const M = 60_000;

describe('own chargers\' connections, reboots and Authorize-only attempts as reliability facts', () => {
  it.each([
    ['a first boot is no reboot', [[0, null, null]], [1], [], []],
    ['a second boot on the same connection is one', [[0, null, null]], [1, 5 * M], [], [5 * M]],
    ['a boot after an unclean close (1006) is one, and the gap between is offline', [[0, 10 * M, 1006], [20 * M, null, null]], [1, 20 * M + 1], [{ from: 10 * M, to: 20 * M }], [20 * M + 1]],
    ['a boot after a clean close (1000 or 1001) is none', [[0, 10 * M, 1000], [20 * M, 30 * M, 1001], [40 * M, null, null]], [1, 20 * M + 1, 40 * M + 1], [{ from: 10 * M, to: 20 * M }, { from: 30 * M, to: 40 * M }], []],
    ['still disconnected: offline until now', [[0, 10 * M, 1006]], [1], [{ from: 10 * M, to: 60 * M }], []],
  ] as [string, [number, number | null, number | null][], number[], { from: number; to: number }[], number[]][])('%s', (_, conns, boots, offline, reboots) => {
    expect(chargerConnectionFacts(conns, boots, 60 * M, [])).toEqual({ offline, reboots });
  });

  it('leaves out a disconnection that came with the hub going down (a hub gap: no data, not the charger\'s)', () => {
    const facts = chargerConnectionFacts([[0, 10 * M, 1001], [30 * M, null, null]], [1, 30 * M + 1], 60 * M, [{ from: 11 * M, to: 29 * M }]);
    expect(facts.offline).toEqual([]);
  });

  describe('with a real ocpp-rpc charger', () => {
    let net: OwnNetwork;
    beforeAll(async () => {
      net = await startOwnNetwork({ cpos: ['NL/CPB'], emsps: ['NL/EMA'], evses: ['E1', 'E2'] });
      await net.addCharger('CP-REBOOTS', 'ocpp1.6', 'SITE1', 'E1');
      await net.addCharger('CP-AUTH', 'ocpp1.6', 'SITE1', 'E2');
    });
    afterAll(async () => net?.close());

    const db = () => net.hub.services.db;
    const log = async () =>
      (await db().query(`SELECT connected_at, disconnected_at, close_code FROM charger_connection_log WHERE charger_id = 'CP-REBOOTS' ORDER BY connected_at`)) as {
        connected_at: Date; disconnected_at: Date | null; close_code: number | null;
      }[];

    it('keeps every connection with its close code and counts the reboots and offline periods the rules define', async () => {
      const started = Date.now() - 1000;
      const first = await net.connect('CP-REBOOTS', 'ocpp1.6'); // first boot: no reboot
      await first.call('BootNotification', { chargePointVendor: 'Test', chargePointModel: 'AC22' }); // booted again while connected: a reboot
      await first.close({ force: true }); // dropped: no clean close
      await waitFor(async () => (await log())[0]?.disconnected_at, 'the dropped connection recorded');
      const second = await net.connect('CP-REBOOTS', 'ocpp1.6'); // boots after an unclean close: a reboot
      await second.close({ code: 1000 }); // a clean close
      await waitFor(async () => (await log())[1]?.disconnected_at, 'the clean close recorded');
      await net.connect('CP-REBOOTS', 'ocpp1.6'); // boots after a clean close: no reboot
      const rows = await waitFor(async () => ((await log()).length === 3 ? log() : undefined), 'three connections');
      expect(rows.map((r) => r.close_code)).toEqual([expect.any(Number), 1000, null]);
      expect(rows[0].close_code).not.toBe(1000);

      const facts = new ReliabilityFacts({ db: db(), ownCpo: net.hub.services.ownCpo });
      const own = net.hub.services.ownCpo;
      const [ref] = await facts.evses({ evse: `${own.countryCode}/${own.partyId}/SITE1/E1` });
      expect(ref.own).toBe(true);
      const period = { from: started, to: Date.now() + 1000 };
      const [history] = await facts.histories([ref], period);
      expect(history.reboots).toHaveLength(2);
      expect(history.offline).toEqual([
        { from: rows[0].disconnected_at!.getTime(), to: rows[1].connected_at.getTime() },
        { from: rows[1].disconnected_at!.getTime(), to: rows[2].connected_at.getTime() },
      ]);
      const totals = evseTotals(history, period);
      expect(totals.events).toMatchObject({ reboots: 2, disconnects: 2 });
    });

    it('counts an accepted Authorize no transaction follows as a failed attempt, a refused token apart, and one a transaction follows as that transaction', async () => {
      const started = Date.now() - 1000;
      await net.pushToken('NL/EMA', rfidToken(net.parties['NL/EMA'], 'TOK-OK'));
      const cp = await net.connect('CP-AUTH', 'ocpp1.6');
      type Answer = { idTagInfo: { status: string } };
      const authorize = async (idTag: string) => ((await cp.call('Authorize', { idTag })) as Answer).idTagInfo.status;
      expect(await authorize('TOK-OK')).toBe('Accepted');
      expect(await authorize('TOK-OK')).toBe('Accepted'); // tapped again: the same attempt
      expect(await authorize('TOK-NOBODY')).toBe('Invalid');
      const own = net.hub.services.ownCpo;
      const read = async (nowMs: number) => {
        const facts = new ReliabilityFacts({ db: db(), ownCpo: own, now: () => new Date(nowMs) });
        const [ref] = await facts.evses({ evse: `${own.countryCode}/${own.partyId}/SITE1/E2` });
        const [h] = await facts.histories([ref], { from: started, to: Date.now() + 1000 });
        return h.attempts.map((a) => [a.origin, attemptOutcome(a)]);
      };
      // Within the window the driver may still plug in: pending; after it, a failed attempt.
      expect(await read(Date.now())).toEqual([['ocpp_authorize', 'pending'], ['ocpp_authorize', 'refused_token']]);
      expect(await read(Date.now() + AUTHORIZE_WINDOW_MS + 1000)).toEqual([['ocpp_authorize', 'not_started'], ['ocpp_authorize', 'refused_token']]);
      // The token's transaction starts: it is the attempt, the Authorize before it is not another.
      const tx = (await cp.call('StartTransaction', { connectorId: 1, idTag: 'TOK-OK', meterStart: 0, timestamp: new Date().toISOString() })) as Answer;
      expect(tx.idTagInfo.status).toBe('Accepted');
      expect(await read(Date.now() + AUTHORIZE_WINDOW_MS + 1000)).toEqual([['ocpp_authorize', 'refused_token'], ['ocpp_transaction', 'pending']]);
    });
  });
});
