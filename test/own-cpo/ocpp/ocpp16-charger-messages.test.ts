import type { RPCClient } from 'ocpp-rpc';
import schemas16 from 'ocpp-rpc/lib/schemas/ocpp1_6.json';
import { HUB_ACTIONS, OCPP16_CHARGER_ACTIONS } from '../../../src/own-cpo/ocpp/charger-actions';
import { OCPP16_HANDLERS } from '../../../src/own-cpo/ocpp-handlers/v16/handlers.v16';
import { callErrorOf, connectChargePoint } from '../../support/charge-point';
import { startTestHub, type TestHub } from '../../support/test-hub';

const PASSWORD = 'ocpp16-messages-pass-01';
const CSR = `-----BEGIN CERTIFICATE REQUEST-----
MIIBVDCB+wIBADBJMQswCQYDVQQGEwJOTDEQMA4GA1UECgwHRXhhbXBsZTEoMCYG
A1UEAwwfQ1AxNi1TRUNVUklUWS1leGFtcGxlLWNoYXJnZXIwWTATBgcqhkjOPQIB
-----END CERTIFICATE REQUEST-----
`;

describe('OCPP 1.6J: every message a charger sends is answered', () => {
  it('the handler table holds exactly the charger-initiated actions, and every 1.6 request schema goes one way or the other', () => {
    expect(Object.keys(OCPP16_HANDLERS).sort()).toEqual([...OCPP16_CHARGER_ACTIONS].sort());
    const requests = (schemas16 as { $id: string }[]).map((s) => s.$id).filter((id) => id.endsWith('.req')).map((id) => id.slice(4, -4));
    // DataTransfer goes both ways; every other action one way only.
    const both = new Set(['DataTransfer']);
    for (const action of requests) {
      const inbound = (OCPP16_CHARGER_ACTIONS as readonly string[]).includes(action);
      const outbound = HUB_ACTIONS['ocpp1.6'].includes(action);
      expect({ action, oneWay: both.has(action) ? inbound && outbound : inbound !== outbound }).toEqual({ action, oneWay: true });
    }
    expect(new Set([...OCPP16_CHARGER_ACTIONS, ...HUB_ACTIONS['ocpp1.6']])).toEqual(new Set(requests));
  });

  describe('with a real charger', () => {
    let hub: TestHub;
    let cp: RPCClient;
    const events = async () =>
      (await hub.services.db.query(`SELECT action, payload FROM ocpp_events WHERE charger_id = 'SEC16' ORDER BY id`)) as { action: string; payload: unknown }[];

    beforeAll(async () => {
      hub = await startTestHub();
      expect((await hub.admin.post('/admin/chargers', { id: 'SEC16', password: PASSWORD })).status).toBe(201);
      cp = await connectChargePoint(hub, { id: 'SEC16', password: PASSWORD, protocol: 'ocpp1.6' });
      await cp.call('BootNotification', { chargePointVendor: 'V', chargePointModel: 'M' });
    });
    afterAll(async () => {
      await cp.close();
      await hub.close();
    });

    it('keeps the security whitepaper notifications (edition 3) as events and answers each with its empty confirmation', async () => {
      await hub.services.db.query(`DELETE FROM ocpp_events WHERE charger_id = 'SEC16'`);
      const security = { type: 'FirmwareUpdated', timestamp: '2026-12-01T10:00:00.000Z', techInfo: '4.15.0' };
      expect(await cp.call('SecurityEventNotification', security)).toEqual({});
      expect(await cp.call('LogStatusNotification', { status: 'Uploading', requestId: 7 })).toEqual({});
      expect(await cp.call('SignedFirmwareStatusNotification', { status: 'SignatureVerified', requestId: 8 })).toEqual({});
      expect(await events()).toEqual([
        { action: 'SecurityEventNotification', payload: security },
        { action: 'LogStatusNotification', payload: { status: 'Uploading', requestId: 7 } },
        { action: 'SignedFirmwareStatusNotification', payload: { status: 'SignatureVerified', requestId: 8 } },
      ]);
    });

    it('SignCertificate: a text that is no CSR is Rejected and kept with the reason (the CA: test/own-cpo/ocpp/charger-certificates.test.ts)', async () => {
      await hub.services.db.query(`DELETE FROM ocpp_events WHERE charger_id = 'SEC16'`);
      // A PEM frame around a truncated request: not PKCS#10.
      expect(await cp.call('SignCertificate', { csr: CSR })).toEqual({ status: 'Rejected' });
      expect(await cp.call('SignCertificate', { csr: 'not a certificate request' })).toEqual({ status: 'Rejected' });
      expect(await events()).toEqual([
        { action: 'SignCertificate', payload: { csr: CSR } },
        { action: 'SignCertificate', payload: { csr: 'not a certificate request' } },
      ]);
      const answers: { answer: { status: string; reasonCode: string } }[] = await hub.services.db.query(`SELECT answer FROM ocpp_events WHERE charger_id = 'SEC16' ORDER BY id`);
      expect(answers.map((a) => [a.answer.status, a.answer.reasonCode])).toEqual([
        ['Rejected', 'InvalidCSR'],
        ['Rejected', 'InvalidCSR'],
      ]);
    });

    it('refuses schema-invalid security messages with the strict-mode CALLERROR, storing nothing', async () => {
      await hub.services.db.query(`DELETE FROM ocpp_events WHERE charger_id = 'SEC16'`);
      const loose = await connectChargePoint(hub, { id: 'SEC16', password: PASSWORD, protocol: 'ocpp1.6', strict: false });
      try {
        expect(await callErrorOf(loose, 'SecurityEventNotification', { type: 'X' })).toBe('OccurenceConstraintViolation');
        expect(await callErrorOf(loose, 'LogStatusNotification', { status: 'Bored' })).toBe('FormationViolation');
        expect(await callErrorOf(loose, 'SignCertificate', { csr: 'x'.repeat(5501) })).toBe('FormationViolation');
        expect(await events()).toEqual([]);
      } finally {
        await loose.close();
      }
    });
  });
});
