import { RawCharger, registerCharger } from '../../fuzz/ocpp-fuzz';
import { startTestHub, type TestHub } from '../../support/test-hub';

/**
 * What a charger gets for a malformed frame, from raw WebSockets of each version: message ids longer
 * than OCPP-J's 36 characters are refused, and every CALLERROR code is one the charger's own version
 * defines, in its spelling (1.6 has FormationViolation and OccurenceConstraintViolation; 2.0.1 has
 * FormatViolation, OccurrenceConstraintViolation, RpcFrameworkError and MessageTypeNotSupported).
 */
const DEFINED = {
  'ocpp1.6': ['NotImplemented', 'NotSupported', 'InternalError', 'ProtocolError', 'SecurityError', 'FormationViolation', 'PropertyConstraintViolation', 'OccurenceConstraintViolation', 'TypeConstraintViolation', 'GenericError'],
  'ocpp2.0.1': ['FormatViolation', 'GenericError', 'InternalError', 'MessageTypeNotSupported', 'NotImplemented', 'NotSupported', 'OccurrenceConstraintViolation', 'PropertyConstraintViolation', 'ProtocolError', 'RpcFrameworkError', 'SecurityError', 'TypeConstraintViolation'],
} as const;

type Protocol = keyof typeof DEFINED;

describe('OCPP CALLERRORs in the charger\'s version', () => {
  let hub: TestHub;
  const chargers: Partial<Record<Protocol, RawCharger>> = {};

  beforeAll(async () => {
    hub = await startTestHub();
    for (const protocol of ['ocpp1.6', 'ocpp2.0.1'] as Protocol[]) {
      const id = `ERR-${protocol === 'ocpp1.6' ? '16' : '201'}`;
      chargers[protocol] = new RawCharger(hub.ocppUrl, id, await registerCharger(hub, id), protocol);
      await chargers[protocol]!.connect();
    }
  }, 60_000);
  afterAll(async () => {
    for (const c of Object.values(chargers)) c?.close();
    await hub.close();
  });

  async function exchange(protocol: Protocol, frame: string): Promise<unknown[]> {
    const charger = chargers[protocol]!;
    charger.send(frame);
    return (await charger.next(5000)) as unknown[];
  }

  const heartbeat = (id: string) => JSON.stringify([2, id, 'Heartbeat', {}]);
  // A required field missing: ocpp-rpc's validator says OccurenceConstraintViolation.
  const missingRequired = (protocol: Protocol) => JSON.stringify([2, 'm1', 'StatusNotification', protocol === 'ocpp1.6' ? { connectorId: 1, errorCode: 'NoError' } : { timestamp: '2030-01-01T00:00:00Z', connectorStatus: 'Available', evseId: 1 }]);
  const tooLongString = (protocol: Protocol) => JSON.stringify([2, 'f1', 'DataTransfer', protocol === 'ocpp1.6' ? { vendorId: 'x'.repeat(300) } : { vendorId: 'x'.repeat(300) }]);

  it.each(['ocpp1.6', 'ocpp2.0.1'] as Protocol[])('%s: refuses a message id of 37 characters and answers one of 36', async (protocol) => {
    const long = 'a'.repeat(37);
    expect(await exchange(protocol, heartbeat(long))).toEqual([4, long, protocol === 'ocpp1.6' ? 'FormationViolation' : 'RpcFrameworkError', expect.stringMatching(/36/), {}]);
    const escaped = `[2,"${'\\u0061'.repeat(37)}","Heartbeat",{}]`;
    expect((await exchange(protocol, escaped))[2]).toBe(protocol === 'ocpp1.6' ? 'FormationViolation' : 'RpcFrameworkError');
    const ok = 'b'.repeat(36);
    const answer = await exchange(protocol, heartbeat(ok));
    expect(answer[0]).toBe(3);
    expect(answer[1]).toBe(ok);
  });

  it.each([
    ['ocpp1.6', 'OccurenceConstraintViolation', 'FormationViolation', 'FormationViolation', 'GenericError'],
    ['ocpp2.0.1', 'OccurrenceConstraintViolation', 'FormatViolation', 'RpcFrameworkError', 'MessageTypeNotSupported'],
  ] as [Protocol, string, string, string, string][])('%s: codes in its own spelling', async (protocol, occurrence, format, framework, messageType) => {
    const got = {
      missingRequired: (await exchange(protocol, missingRequired(protocol)))[2],
      tooLong: (await exchange(protocol, tooLongString(protocol)))[2],
      notJson: (await exchange(protocol, '[2, "x", '))[2],
      idNotString: (await exchange(protocol, '[2, 17, "Heartbeat", {}]'))[2],
      messageType: (await exchange(protocol, '[7, "t1", "Heartbeat", {}]'))[2],
    };
    expect(got).toEqual({ missingRequired: occurrence, tooLong: format, notJson: framework, idNotString: framework, messageType });
    for (const code of Object.values(got)) expect(DEFINED[protocol]).toContain(code);
  });
});
