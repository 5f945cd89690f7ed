import type { RPCClient } from 'ocpp-rpc';
import { waitFor } from '../support/network';
import { type OwnNetwork, rfidToken, startOwnNetwork } from '../support/own-network';

jest.setTimeout(60_000);

/** The story of an own session: its OCPP transaction, the charger's messages and meter values, and its pushes. */
describe('the story of an own session and its CDR', () => {
  let net: OwnNetwork;
  let cp: RPCClient;

  beforeAll(async () => {
    net = await startOwnNetwork({ emsps: ['NL/OEM'], hub: { logLevel: 'warn' } });
    await net.pushToken('NL/OEM', rfidToken({ countryCode: 'NL', partyId: 'OEM' }, 'STORY1'));
    await net.addCharger('ST-1', 'ocpp1.6', 'SITE1', 'E1');
    cp = await net.connect('ST-1', 'ocpp1.6');
  });
  afterAll(() => net?.close());

  it('tells the OCPP messages, meter values, pushes with answers, rating and CDR of an own session', async () => {
    const now = () => new Date().toISOString();
    await cp.call('StatusNotification', { connectorId: 1, status: 'Preparing', errorCode: 'NoError', timestamp: now() });
    const { transactionId } = (await cp.call('StartTransaction', { connectorId: 1, idTag: 'STORY1', meterStart: 0, timestamp: now() })) as { transactionId: number };
    await cp.call('StatusNotification', { connectorId: 1, status: 'Charging', errorCode: 'NoError', timestamp: now() });
    await cp.call('MeterValues', { connectorId: 1, transactionId, meterValue: [{ timestamp: now(), sampledValue: [{ value: '1500', measurand: 'Energy.Active.Import.Register', unit: 'Wh' }] }] });
    await cp.call('StopTransaction', { transactionId, meterStop: 3000, timestamp: now() });
    await cp.call('StatusNotification', { connectorId: 1, status: 'Available', errorCode: 'NoError', timestamp: now() });
    const sessionId = (await net.hub.services.transactions.find('ST-1', String(transactionId)))!.sessionId;
    const session = await waitFor(async () => {
      const { items } = (await net.hub.admin.get('/admin/search/sessions', { params: { party: 'NL/HUB', token: 'STORY1' } })).data;
      return items.find((s: { id: string; status: string }) => s.id === sessionId && s.status === 'COMPLETED');
    }, 'the completed session', 15_000);
    expect(session).toMatchObject({ location_id: 'SITE1', evse_uid: 'E1', token_uid: 'STORY1' });
    await waitFor(async () => (await net.hub.admin.get('/admin/outbox')).data.length === 0 && (await net.hub.admin.get('/admin/search/cdrs', { params: { party: 'NL/HUB' } })).data.items.length === 1, 'the CDR delivered', 15_000);
    await net.hub.services.traffic.drain();

    const story = (await net.hub.admin.get(`/admin/search/sessions/NL/HUB/${encodeURIComponent(sessionId)}/story`)).data;
    expect(story.ocpp_transaction).toMatchObject({ charger_id: 'ST-1', transaction_id: String(transactionId), status: 'STOPPED' });
    const actions = story.ocpp_messages.map((m: { action: string }) => m.action);
    expect(actions[0]).toBe('TransactionStarted');
    expect(actions[actions.length - 1]).toBe('TransactionStopped');
    expect(actions).toContain('MeterValues');
    expect(story.meter_values.length).toBeGreaterThanOrEqual(1);
    expect(story.pushes.length).toBeGreaterThan(0);
    expect(story.pushes.every((p: { partner: string; status: string }) => p.partner === 'NL/OEM' && p.status === 'delivered')).toBe(true);
    expect(story.pushes[0].answers[0]).toMatchObject({ failed: false, ocpi_status: 1000 });
    expect(story.cdr_id).toEqual(expect.any(String));

    const cdrStory = (await net.hub.admin.get(`/admin/search/cdrs/NL/HUB/${encodeURIComponent(story.cdr_id)}/story`)).data;
    expect(cdrStory.ocpp_transaction.charger_id).toBe('ST-1');
    expect(cdrStory.pushes[0]).toMatchObject({ partner: 'NL/OEM', method: 'POST', status: 'delivered' });
    expect(cdrStory.rating).toMatchObject({ status: expect.stringMatching(/^(match|mismatch|unrated)$/) });

    // What the hub keeps of the charger's messages (faults here) is searchable, in keyset pages.
    for (const errorCode of ['GroundFailure', 'OverCurrentFailure', 'PowerMeterFailure']) {
      await cp.call('StatusNotification', { connectorId: 1, status: 'Faulted', errorCode, timestamp: now() });
    }
    const events = (await net.hub.admin.get('/admin/search/events', { params: { charger: 'ST-1', action: 'StatusNotification', limit: '2' } })).data;
    expect(events.items).toHaveLength(2);
    expect(events.items.map((e: { payload: { errorCode: string } }) => e.payload.errorCode)).toEqual(['PowerMeterFailure', 'OverCurrentFailure']);
    const rest = (await net.hub.admin.get('/admin/search/events', { params: { charger: 'ST-1', action: 'StatusNotification', limit: '2', cursor: events.next_cursor } })).data;
    expect(rest.items.map((e: { payload: { errorCode: string } }) => e.payload.errorCode)).toEqual(['GroundFailure']);
    expect(rest.next_cursor).toBeNull();
  });
});
