import type { RPCClient } from 'ocpp-rpc';
import { callErrorOf, closed, connectChargePoint } from '../../support/charge-point';
import { startTestHub, type TestHub } from '../../support/test-hub';

const BOOT_16 = { chargePointVendor: 'V', chargePointModel: 'M' };

describe('rate limit per charge point (OCPP)', () => {
  let hub: TestHub;
  const passwords: Record<string, string> = {};
  const clients: RPCClient[] = [];

  beforeAll(async () => {
    // One call per ten seconds after a burst of 5: the test earns nothing back while it runs.
    hub = await startTestHub({ env: { RATE_LIMIT_CHARGER_PER_SECOND: '0.1', RATE_LIMIT_CHARGER_BURST: '5' } });
    for (const id of ['FLOOD1', 'CALM1', 'FLOOD2']) {
      const added = await hub.admin.post('/admin/chargers', { id });
      expect(added.status).toBe(201);
      passwords[id] = added.data.password;
    }
  });
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close({ force: true })));
    await hub.close();
  });

  const connect = async (id: string, protocol: 'ocpp1.6' | 'ocpp2.0.1' = 'ocpp1.6') => {
    // Not strict: the flooder also sends an action no schema knows.
    const client = await connectChargePoint(hub, { id, password: passwords[id], protocol, strict: false });
    clients.push(client);
    return client;
  };

  it('answers calls over the limit with CALLERROR GenericError and a retry time; other chargers are unaffected', async () => {
    const flooder = await connect('FLOOD1');
    const calm = await connect('CALM1');
    expect(await flooder.call('BootNotification', BOOT_16)).toMatchObject({ status: 'Accepted' });
    for (let i = 0; i < 3; i++) expect(await flooder.call('Heartbeat', {})).toHaveProperty('currentTime');
    // An action without a handler spends from the same bucket (the fifth call).
    expect(await callErrorOf(flooder, 'FirmwareStatusNotificationX', {})).toBe('NotImplemented');

    const refused = await flooder.call('Heartbeat', {}).catch((error) => error);
    expect(refused).toMatchObject({
      rpcErrorCode: 'GenericError',
      message: 'Rate limit exceeded: at most 0.1 calls per second (bursts of 5); retry in 10 s',
      details: { retryAfterSeconds: 10 },
    });

    expect(await calm.call('BootNotification', BOOT_16)).toMatchObject({ status: 'Accepted' });
    for (let i = 0; i < 4; i++) expect(await calm.call('Heartbeat', {})).toHaveProperty('currentTime');
    // The flooder's connection is still open: a short overrun only costs CALLERRORs.
    expect(await callErrorOf(flooder, 'Heartbeat', {})).toBe('GenericError');
  });

  it('disconnects a charger that keeps flooding (close 1008), and the limit outlives the connection', async () => {
    const flooder = await connect('FLOOD2', 'ocpp2.0.1');
    const closing = closed(flooder);
    const outcomes: string[] = [];
    for (let i = 0; i < 20; i++) {
      const outcome = await flooder.call('Heartbeat', {}).then(
        () => 'ok',
        (error: { rpcErrorCode?: string }) => error.rpcErrorCode ?? 'closed',
      );
      outcomes.push(outcome);
      if (outcome === 'closed') break;
    }
    // 5 calls in the burst, then 5 refusals it may collect (its burst), and the next one ends it.
    expect(outcomes.slice(0, 10)).toEqual([...Array(5).fill('ok'), ...Array(5).fill('GenericError')]);
    expect(await closing).toEqual({ code: 1008, reason: 'Too many calls: the rate limit was exceeded again and again' });

    // Reconnecting does not reset it: with its bucket and its refusals used up, the next call over the
    // limit ends the new connection at once.
    const again = await connect('FLOOD2', 'ocpp2.0.1');
    const closingAgain = closed(again);
    await expect(again.call('Heartbeat', {})).rejects.toThrow();
    expect((await closingAgain).code).toBe(1008);
    expect(hub.logLines.some((l) => l.includes('"charger":"FLOOD2"') && l.includes('kept exceeding its call rate limit'))).toBe(true);
  });

  it('never logs a charge point password', () => {
    const joined = hub.logLines.join('\n');
    for (const password of Object.values(passwords)) expect(joined).not.toContain(password);
    expect(joined).not.toContain(hub.adminKey);
  });
});
