import { bootStopReason, stationLostIt } from '../../../src/own-cpo/charging/lost-transactions';

/** The 2.0.1 rules of lost transactions as pure decisions (the integration is lost-transactions.test.ts). */
describe('lost transaction rules (OCPP 2.0.1)', () => {
  it('closes only what the station says is not ongoing and has nothing queued for (E14 GetTransactionStatus)', () => {
    expect(stationLostIt({ messagesInQueue: false, ongoingIndicator: false })).toBe(true);
    expect(stationLostIt({ messagesInQueue: true, ongoingIndicator: false })).toBe(false);
    expect(stationLostIt({ messagesInQueue: false, ongoingIndicator: true })).toBe(false);
    expect(stationLostIt({ messagesInQueue: false })).toBe(false); // no indicator: the station did not say
  });

  it('names the stop reason after the boot reason (ReasonEnumType)', () => {
    expect(bootStopReason('PowerUp')).toBe('PowerLoss');
    for (const reset of ['ApplicationReset', 'FirmwareUpdate', 'LocalReset', 'RemoteReset', 'ScheduledReset', 'Watchdog']) expect(bootStopReason(reset)).toBe('Reboot');
    expect(bootStopReason('Triggered')).toBe('Other');
    expect(bootStopReason('Unknown')).toBe('Other');
    expect(bootStopReason(undefined)).toBe('Other');
  });
});
