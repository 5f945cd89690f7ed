import type { RPCClient } from 'ocpp-rpc';
import { startOwnNetwork, type OwnNetwork } from '../../support/own-network';

const H = 3_600_000;

describe('reliability alerts: a charger is alerted offline only when a probe goes unanswered; EVSE alerts raised once and cleared', () => {
  let net: OwnNetwork;
  let answering: RPCClient;
  let silent: RPCClient;
  let probes: { charger: string; params: unknown }[];

  beforeAll(async () => {
    net = await startOwnNetwork({
      cpos: ['NL/CPB'],
      emsps: ['NL/EMA'],
      evses: ['E1', 'E2', 'E3'],
      hub: { env: { RELIABILITY_PROBE_TIMEOUT_MS: '700', ALERT_WEBHOOK_URL: 'http://127.0.0.1:9/alerts', ALERT_WEBHOOK_SECRET: 'reliability-webhook-secret-01' } },
    });
    await net.addCharger('CP-ANSWERS', 'ocpp1.6', 'SITE1', 'E1');
    await net.addCharger('CP-SILENT', 'ocpp2.0.1', 'SITE1', 'E2');
    await net.addCharger('CP-GONE', 'ocpp1.6', 'SITE1', 'E3');
    probes = [];
    answering = await net.connect('CP-ANSWERS', 'ocpp1.6');
    answering.handle('TriggerMessage', async ({ params }) => {
      probes.push({ charger: 'CP-ANSWERS', params });
      return { status: 'Accepted' };
    });
    silent = await net.connect('CP-SILENT', 'ocpp2.0.1');
    // A real ocpp-rpc charger whose connection is open but which never answers the probe.
    silent.handle('TriggerMessage', ({ params }) => {
      probes.push({ charger: 'CP-SILENT', params });
      return new Promise(() => undefined);
    });
    const gone = await net.connect('CP-GONE', 'ocpp1.6');
    await gone.close({ force: true });
  });
  afterAll(async () => net?.close());

  const db = () => net.hub.services.db;
  const queued = async () => ((await db().query(`SELECT body FROM alert_webhooks ORDER BY id`)) as { body: string }[]).map((r) => JSON.parse(r.body));

  it('leaves chargers heard from recently alone, probes silent ones, and alerts only the one that does not answer (and the one gone)', async () => {
    await new Promise((r) => setTimeout(r, 100)); // the disconnect of CP-GONE is written
    expect(await net.hub.services.reliabilityAlerts.checkChargers()).toEqual([]);
    expect(probes).toEqual([]); // nobody silent yet: no probe sent

    // An hour without a heartbeat for all three (as if time had passed).
    await db().query(`UPDATE chargers SET last_heartbeat_at = now() - interval '1 hour', last_connected_at = now() - interval '1 hour',
                        disconnected_at = CASE WHEN disconnected_at IS NOT NULL THEN now() - interval '1 hour' END`);
    const started = Date.now();
    const raised = await net.hub.services.reliabilityAlerts.checkChargers();
    expect(Date.now() - started).toBeGreaterThanOrEqual(650); // it waited for the silent charger's answer
    expect(probes.map((p) => p.charger).sort()).toEqual(['CP-ANSWERS', 'CP-SILENT']);
    expect(probes.find((p) => p.charger === 'CP-SILENT')!.params).toEqual({ requestedMessage: 'Heartbeat' });
    expect(raised.map((a) => [a.subject, a.kind, a.state, a.details.probe]).sort()).toEqual([
      ['charger:CP-GONE', 'charger_offline', 'raised', 'not_connected'],
      ['charger:CP-SILENT', 'charger_offline', 'raised', 'no_answer'],
    ]);
    // Queued on the alert webhook (the partner alerts' queue), and open in the admin API.
    expect((await queued()).filter((b) => b.type === 'reliability').map((b) => b.subject).sort()).toEqual(['charger:CP-GONE', 'charger:CP-SILENT']);
    const open = (await net.hub.admin.get('/admin/reliability/alerts')).data.alerts;
    expect(open.map((a: { subject: string }) => a.subject).sort()).toEqual(['charger:CP-GONE', 'charger:CP-SILENT']);

    // Still silent: not raised again.
    expect(await net.hub.services.reliabilityAlerts.checkChargers()).toEqual([]);
    // The silent charger answers again: cleared, once.
    silent.handle('TriggerMessage', async () => ({ status: 'Accepted' }));
    const cleared = await net.hub.services.reliabilityAlerts.checkChargers();
    expect(cleared.map((a) => [a.subject, a.state])).toEqual([['charger:CP-SILENT', 'cleared']]);
    expect((await net.hub.admin.get('/admin/reliability/alerts')).data.alerts.map((a: { subject: string }) => a.subject)).toEqual(['charger:CP-GONE']);
  });

  it("raises a partner EVSE that says AVAILABLE while every attempt fails, once, with the figures behind it", async () => {
    const now = Date.now();
    await db().query(
      `INSERT INTO evse_status_history (country_code, party_id, location_id, evse_uid, own, status, status_at, received_at, max_power_kw)
       VALUES ('NL', 'CPB', 'LOCB', 'B1', false, 'AVAILABLE', $1, $1, 22), ('NL', 'CPB', 'LOCB', 'B2', false, 'AVAILABLE', $1, $1, 22)`,
      [new Date(now - 20 * 24 * H)],
    );
    await net.hub.services.statusHistory.rebuildCurrent(); // rows written by SQL above
    // B1: six attempts today, none started (INVALID, no energy); B2: six that charged.
    for (let i = 0; i < 6; i++)
      for (const [evse, status, kwh] of [['B1', 'INVALID', 0], ['B2', 'COMPLETED', 8]] as const) {
        const start = new Date(Math.max(now - (i + 1) * 20 * 60_000, Math.floor(now / (24 * H)) * 24 * H + i * 1000));
        const id = `${evse}-S${i}`;
        await db().query(`INSERT INTO ocpi_objects (module, country_code, party_id, object_id, data, last_updated) VALUES ('sessions', 'NL', 'CPB', $1, $2, $3)`, [
          id,
          JSON.stringify({ id, location_id: 'LOCB', evse_uid: evse, status, kwh, start_date_time: start.toISOString(), end_date_time: new Date(start.getTime() + 60_000).toISOString(), cdr_token: { uid: `d${i}` } }),
          start,
        ]);
      }
    const raised = await net.hub.services.reliabilityAlerts.checkEvses();
    const b1 = raised.filter((a) => a.subject === 'NL/CPB/LOCB/B1').map((a) => a.kind);
    expect(b1).toContain('available_while_failing');
    expect(raised.some((a) => a.subject === 'NL/CPB/LOCB/B2')).toBe(false);
    const alert = raised.find((a) => a.kind === 'available_while_failing')!;
    expect(alert.message).toMatch(/NL\/CPB\/LOCB\/B1/);
    expect(alert.details).toMatchObject({ score: expect.any(Number) });
    // Checked again: nothing new.
    expect((await net.hub.services.reliabilityAlerts.checkEvses()).filter((a) => a.state === 'raised')).toEqual([]);
    expect((await queued()).some((b) => b.kind === 'available_while_failing' && b.subject === 'NL/CPB/LOCB/B1')).toBe(true);
  });
});
