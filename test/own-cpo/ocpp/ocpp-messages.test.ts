import type { RPCClient } from 'ocpp-rpc';
import type { ConnectorStatusChange } from '../../../src/own-cpo/chargers/chargers.service';
import { callErrorOf, connectChargePoint } from '../../support/charge-point';
import { waitFor } from '../../support/network';
import { putOwnLocations, startTestHub, type TestHub } from '../../support/test-hub';

const PASSWORD = 'messages-password-0123';

describe('OCPP messages from the hub\'s own charge points', () => {
  let hub: TestHub;
  let cp16: RPCClient;
  let cp201: RPCClient;
  const statusChanges: ConnectorStatusChange[] = [];
  const charger = async (id: string) => (await hub.admin.get(`/admin/chargers/${id}`)).data;
  const events = async (id: string) =>
    (await hub.services.db.query(`SELECT action, payload FROM ocpp_events WHERE charger_id = $1 AND action <> 'StatusNotification' ORDER BY id`, [id])) as {
      action: string;
      payload: unknown;
    }[];
  const faults = async (id: string) =>
    (await hub.services.db.query(`SELECT payload FROM ocpp_events WHERE charger_id = $1 AND action = 'StatusNotification' ORDER BY id`, [id])).map((r: { payload: unknown }) => r.payload);

  beforeAll(async () => {
    hub = await startTestHub();
    hub.services.chargers.onConnectorStatus((change) => void statusChanges.push(change));
    await putOwnLocations(hub, 'LOC16', 'LOC201');
    const evses = [{ ocpp_connector: '1', evse_uid: 'NL*HUB*E16*1', connector_id: '1' }];
    for (const body of [
      { id: 'CP16', password: PASSWORD, location_id: 'LOC16', evses },
      { id: 'CP201', password: PASSWORD, location_id: 'LOC201', evses: [{ ocpp_connector: '1/2', evse_uid: 'NL*HUB*E201*1', connector_id: '2' }] },
      { id: 'GATED', password: PASSWORD },
    ]) {
      expect((await hub.admin.post('/admin/chargers', body)).status).toBe(201);
    }
    cp16 = await connectChargePoint(hub, { id: 'CP16', password: PASSWORD, protocol: 'ocpp1.6' });
    cp201 = await connectChargePoint(hub, { id: 'CP201', password: PASSWORD, protocol: 'ocpp2.0.1' });
  });
  afterAll(async () => {
    await Promise.all([cp16.close(), cp201.close()]);
    await hub.close();
  });

  describe('OCPP 1.6', () => {
    it('BootNotification stores the boot information and answers Accepted with the heartbeat interval', async () => {
      const answer = (await cp16.call('BootNotification', {
        chargePointVendor: 'Alfen',
        chargePointModel: 'Eve Single',
        chargePointSerialNumber: 'SN-16',
        firmwareVersion: '4.14.0',
      })) as { status: string; interval: number; currentTime: string };
      expect(answer).toMatchObject({ status: 'Accepted', interval: 300 });
      expect(Math.abs(Date.parse(answer.currentTime) - Date.now())).toBeLessThan(5000);
      expect(await charger('CP16')).toMatchObject({
        protocol: 'ocpp1.6',
        boot: { vendor: 'Alfen', model: 'Eve Single', serial_number: 'SN-16', firmware_version: '4.14.0' },
        connection: { connected: true },
      });
    });

    it('Heartbeat answers the hub time and records it', async () => {
      const { currentTime } = (await cp16.call('Heartbeat', {})) as { currentTime: string };
      expect((await charger('CP16')).connection.last_heartbeat_at).toBe(currentTime);
    });

    it('StatusNotification stores each connector (0 is the charge point) and tells the hook, with the mapped EVSE', async () => {
      await cp16.call('StatusNotification', { connectorId: 0, errorCode: 'NoError', status: 'Available' });
      await cp16.call('StatusNotification', { connectorId: 1, errorCode: 'NoError', status: 'Preparing' });
      await cp16.call('StatusNotification', { connectorId: 1, errorCode: 'HighTemperature', status: 'Faulted' });
      expect((await charger('CP16')).connectors).toEqual([
        { connector: '0', status: 'Available', error_code: 'NoError', updated_at: expect.any(String) },
        { connector: '1', status: 'Faulted', error_code: 'HighTemperature', updated_at: expect.any(String) },
      ]);
      await waitFor(() => statusChanges.filter((c) => c.chargerId === 'CP16').length === 3, 'three status changes');
      // Faults are also kept as events, for the maintenance list's fault rate.
      expect(await faults('CP16')).toEqual([{ connector: '1', status: 'Faulted', errorCode: 'HighTemperature' }]);
      expect(statusChanges.filter((c) => c.chargerId === 'CP16').map(({ connector, status, evse }) => ({ connector, status, evse }))).toEqual([
        { connector: '0', status: 'Available', evse: null },
        { connector: '1', status: 'Preparing', evse: { locationId: 'LOC16', evseUid: 'NL*HUB*E16*1', connectorId: '1' } },
        { connector: '1', status: 'Faulted', evse: { locationId: 'LOC16', evseUid: 'NL*HUB*E16*1', connectorId: '1' } },
      ]);
    });

    it('refuses a negative connectorId, which the schema allows', async () => {
      const loose = await connectChargePoint(hub, { id: 'GATED', password: PASSWORD, protocol: 'ocpp1.6', strict: false });
      try {
        expect(await callErrorOf(loose, 'StatusNotification', { connectorId: -1, errorCode: 'NoError', status: 'Available' })).toBe(
          'PropertyConstraintViolation',
        );
      } finally {
        await loose.close();
      }
      expect((await charger('GATED')).connectors).toEqual([]);
    });

    it('answers DataTransfer UnknownVendorId', async () => {
      expect(await cp16.call('DataTransfer', { vendorId: 'com.example', messageId: 'Hello', data: 'x' })).toEqual({ status: 'UnknownVendorId' });
    });

    it('keeps FirmwareStatusNotification and DiagnosticsStatusNotification in ocpp_events', async () => {
      expect(await cp16.call('FirmwareStatusNotification', { status: 'Downloading' })).toEqual({});
      expect(await cp16.call('DiagnosticsStatusNotification', { status: 'Uploaded' })).toEqual({});
      expect(await events('CP16')).toEqual([
        { action: 'FirmwareStatusNotification', payload: { status: 'Downloading' } },
        { action: 'DiagnosticsStatusNotification', payload: { status: 'Uploaded' } },
      ]);
    });
  });

  describe('OCPP 2.0.1', () => {
    it('BootNotification stores the station information and answers Accepted', async () => {
      const answer = await cp201.call('BootNotification', {
        reason: 'PowerUp',
        chargingStation: { vendorName: 'Zaptec', model: 'Pro', serialNumber: 'SN-201', firmwareVersion: '2.1', modem: { iccid: '8931' } },
      });
      expect(answer).toMatchObject({ status: 'Accepted', interval: 300, currentTime: expect.any(String) });
      expect(await charger('CP201')).toMatchObject({
        protocol: 'ocpp2.0.1',
        boot: { vendor: 'Zaptec', model: 'Pro', serial_number: 'SN-201', firmware_version: '2.1' },
      });
    });

    it('Heartbeat answers the hub time and records it', async () => {
      const { currentTime } = (await cp201.call('Heartbeat', {})) as { currentTime: string };
      expect((await charger('CP201')).connection.last_heartbeat_at).toBe(currentTime);
    });

    it('StatusNotification stores evseId/connectorId and tells the hook', async () => {
      await cp201.call('StatusNotification', { timestamp: new Date().toISOString(), connectorStatus: 'Occupied', evseId: 1, connectorId: 2 });
      await cp201.call('StatusNotification', { timestamp: new Date().toISOString(), connectorStatus: 'Available', evseId: 2, connectorId: 1 });
      expect((await charger('CP201')).connectors).toEqual([
        { connector: '1/2', status: 'Occupied', error_code: null, updated_at: expect.any(String) },
        { connector: '2/1', status: 'Available', error_code: null, updated_at: expect.any(String) },
      ]);
      const change = await waitFor(() => statusChanges.find((c) => c.chargerId === 'CP201' && c.connector === '1/2'), 'the 1/2 change');
      expect(change.evse).toEqual({ locationId: 'LOC201', evseUid: 'NL*HUB*E201*1', connectorId: '2' });
    });

    it('answers DataTransfer UnknownVendorId', async () => {
      expect(await cp201.call('DataTransfer', { vendorId: 'com.example', data: { any: 'json' } })).toEqual({ status: 'UnknownVendorId' });
    });

    it('keeps FirmwareStatusNotification and SecurityEventNotification in ocpp_events', async () => {
      const event = { type: 'FirmwareUpdated', timestamp: '2026-01-01T10:00:00.000Z', techInfo: 'v2.1' };
      expect(await cp201.call('FirmwareStatusNotification', { status: 'Installed', requestId: 7 })).toEqual({});
      expect(await cp201.call('SecurityEventNotification', event)).toEqual({});
      expect(await events('CP201')).toEqual([
        { action: 'FirmwareStatusNotification', payload: { status: 'Installed', requestId: 7 } },
        { action: 'SecurityEventNotification', payload: event },
      ]);
    });
  });

  describe('what the hub does not take', () => {
    it('answers unknown and unhandled actions with CALLERROR NotImplemented', async () => {
      for (const protocol of ['ocpp1.6', 'ocpp2.0.1'] as const) {
        const client = await connectChargePoint(hub, { id: 'GATED', password: PASSWORD, protocol, strict: false });
        try {
          expect(await callErrorOf(client, 'MakeCoffee', { sugar: 2 })).toBe('NotImplemented');
          // The hub handles every action a charger may send (ocpp201-messages.test.ts); one only the CSMS sends is not for it.
          if (protocol === 'ocpp2.0.1') expect(await callErrorOf(client, 'GetVariables', { getVariableData: [{ component: { name: 'X' }, variable: { name: 'Y' } }] })).toBe('NotImplemented');
          expect(await client.call('Heartbeat', {})).toHaveProperty('currentTime'); // still connected and served
        } finally {
          await client.close();
        }
      }
    });

    it('answers schema-invalid calls with the CALLERROR strict mode gives, and stores nothing', async () => {
      const loose16 = await connectChargePoint(hub, { id: 'GATED', password: PASSWORD, protocol: 'ocpp1.6', strict: false });
      try {
        expect(await callErrorOf(loose16, 'StatusNotification', { connectorId: 3, errorCode: 'NoError', status: 'Bogus' })).toBe('FormationViolation');
        // 1.6's own spelling (OCPP-J 1.6 4.2.3), which ocpp-rpc "corrects" into 2.0.1's.
        expect(await callErrorOf(loose16, 'StatusNotification', { connectorId: 3, status: 'Available' })).toBe('OccurenceConstraintViolation');
        expect(await callErrorOf(loose16, 'BootNotification', { chargePointVendor: 'x'.repeat(21), chargePointModel: 'M' })).toBe('FormationViolation');
        expect(await callErrorOf(loose16, 'Heartbeat', { extra: true })).toBe('PropertyConstraintViolation');
      } finally {
        await loose16.close();
      }
      const loose201 = await connectChargePoint(hub, { id: 'GATED', password: PASSWORD, protocol: 'ocpp2.0.1', strict: false });
      try {
        // 2.0.1's spelling, not the 1.6 one ocpp-rpc's validator writes.
        expect(await callErrorOf(loose201, 'BootNotification', { reason: 'PowerUp' })).toBe('OccurrenceConstraintViolation');
        expect(await callErrorOf(loose201, 'StatusNotification', { timestamp: 'yesterday', connectorStatus: 'Available', evseId: 1, connectorId: 1 })).toBe(
          'FormatViolation',
        );
      } finally {
        await loose201.close();
      }
      expect(await charger('GATED')).toMatchObject({ boot: null, connectors: [] });
      expect(await events('GATED')).toEqual([]);
    });

    it('answers only BootNotification, with Pending or Rejected, until the charger is ACCEPTED', async () => {
      const client = await connectChargePoint(hub, { id: 'GATED', password: PASSWORD, protocol: 'ocpp2.0.1' });
      const boot = () => client.call('BootNotification', { reason: 'PowerUp', chargingStation: { vendorName: 'V', model: 'M' } });
      const heartbeatBefore = (await charger('GATED')).connection.last_heartbeat_at;
      try {
        for (const status of ['REJECTED', 'PENDING'] as const) {
          expect((await hub.admin.patch('/admin/chargers/GATED', { status })).status).toBe(200);
          expect(await boot()).toMatchObject({ status: status === 'PENDING' ? 'Pending' : 'Rejected', interval: 300 });
          expect(await callErrorOf(client, 'Heartbeat', {})).toBe('SecurityError');
          expect(await callErrorOf(client, 'StatusNotification', { timestamp: new Date().toISOString(), connectorStatus: 'Available', evseId: 1, connectorId: 1 })).toBe(
            'SecurityError',
          );
        }
        expect(await charger('GATED')).toMatchObject({ connection: { last_heartbeat_at: heartbeatBefore }, connectors: [] });
        expect((await hub.admin.patch('/admin/chargers/GATED', { status: 'ACCEPTED' })).status).toBe(200);
        expect(await boot()).toMatchObject({ status: 'Accepted' });
        expect(await client.call('Heartbeat', {})).toHaveProperty('currentTime');
      } finally {
        await client.close();
      }
    });

    it('answers InternalError, without its details, when the hub fails to process a call', async () => {
      const failure = jest.spyOn(hub.services.chargers, 'heartbeat').mockRejectedValueOnce(new Error('relation "secret_table" does not exist'));
      try {
        const error = await cp16.call('Heartbeat', {}).catch((e: { rpcErrorCode: string; message: string }) => e);
        expect(error).toMatchObject({ rpcErrorCode: 'InternalError' });
        expect((error as Error).message).not.toMatch(/secret_table/);
        expect(await cp16.call('Heartbeat', {})).toHaveProperty('currentTime');
      } finally {
        failure.mockRestore();
      }
    });

    it('answers a StatusNotification even when a connector status listener fails', async () => {
      hub.services.chargers.onConnectorStatus(() => {
        throw new Error('publisher down');
      });
      expect(await cp16.call('StatusNotification', { connectorId: 1, errorCode: 'NoError', status: 'Available' })).toEqual({});
      await waitFor(() => hub.logLines.some((l) => l.includes('publisher down') && l.includes('a connector status listener failed')), 'the logged failure');
      expect((await charger('CP16')).connectors[1]).toMatchObject({ connector: '1', status: 'Available' });
    });
  });
});
