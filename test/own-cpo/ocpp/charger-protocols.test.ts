import { answerStatus, CHARGER_PROTOCOLS } from '../../../src/own-cpo/ocpp/charger-protocols';

/** The one place that shapes the hub's calls to chargers, per OCPP version (OCPP 1.6 and 2.0.1 message sets). */
describe('calls to chargers, shaped per OCPP version', () => {
  const v16 = CHARGER_PROTOCOLS['ocpp1.6'];
  const v201 = CHARGER_PROTOCOLS['ocpp2.0.1'];
  const expiresAt = new Date('2026-12-02T10:00:00.000Z');

  it('remote start and stop: 1.6 Remote*Transaction with a connector and an idTag, 2.0.1 Request*Transaction with an EVSE and an IdToken', () => {
    expect(v16.remoteStart({ ocppConnector: '2', idToken: 'TAG1', remoteStartId: 7 })).toEqual({ action: 'RemoteStartTransaction', params: { connectorId: 2, idTag: 'TAG1' } });
    expect(v201.remoteStart({ ocppConnector: '2/1', idToken: 'TAG1', remoteStartId: 7 })).toEqual({
      action: 'RequestStartTransaction',
      params: { evseId: 2, remoteStartId: 7, idToken: { idToken: 'TAG1', type: 'Central' } },
    });
    expect(v16.remoteStop('42')).toEqual({ action: 'RemoteStopTransaction', params: { transactionId: 42 } });
    expect(v201.remoteStop('TX-42')).toEqual({ action: 'RequestStopTransaction', params: { transactionId: 'TX-42' } });
  });

  it('reservations and unlocking', () => {
    expect(v16.reserveNow({ reservationId: 3, ocppConnector: '1', idToken: 'TAG1', expiresAt })).toEqual({
      action: 'ReserveNow',
      params: { connectorId: 1, expiryDate: '2026-12-02T10:00:00.000Z', idTag: 'TAG1', reservationId: 3 },
    });
    expect(v201.reserveNow({ reservationId: 3, ocppConnector: '1/2', idToken: 'TAG1', expiresAt })).toEqual({
      action: 'ReserveNow',
      params: { id: 3, expiryDateTime: '2026-12-02T10:00:00.000Z', idToken: { idToken: 'TAG1', type: 'Central' }, evseId: 1 },
    });
    expect(v16.cancelReservation(3)).toEqual({ action: 'CancelReservation', params: { reservationId: 3 } });
    expect(v201.cancelReservation(3)).toEqual({ action: 'CancelReservation', params: { reservationId: 3 } });
    expect(v16.unlockConnector('2')).toEqual({ action: 'UnlockConnector', params: { connectorId: 2 } });
    expect(v201.unlockConnector('1/2')).toEqual({ action: 'UnlockConnector', params: { evseId: 1, connectorId: 2 } });
    expect(v201.unlockConnector('1')).toEqual({ action: 'UnlockConnector', params: { evseId: 1, connectorId: 1 } });
  });

  it('load management: only 2.0.1 keeps a station maximum; each version clears its own purposes', () => {
    expect(v16.stationMaximum).toBeUndefined();
    expect(v201.stationMaximum?.(16, expiresAt)?.params).toMatchObject({ evseId: 0, chargingProfile: { chargingProfilePurpose: 'ChargingStationMaxProfile' } });
    expect(v16.clearLoadProfiles().map((c) => c.params)).toEqual([
      { chargingProfilePurpose: 'TxDefaultProfile', stackLevel: 1 },
      { chargingProfilePurpose: 'TxProfile', stackLevel: 1 },
    ]);
    expect(v201.clearLoadProfiles().map((c) => c.params)).toEqual([
      { chargingProfileCriteria: { chargingProfilePurpose: 'ChargingStationMaxProfile', stackLevel: 1 } },
      { chargingProfileCriteria: { chargingProfilePurpose: 'TxProfile', stackLevel: 1 } },
    ]);
  });

  it('lost transactions: only 2.0.1 stations are asked; 1.6 runs one transaction per connector, 2.0.1 one per EVSE', () => {
    expect(v16.transactionStatus).toBeUndefined();
    expect(v201.transactionStatus?.('TX-1')).toEqual({ action: 'GetTransactionStatus', params: { transactionId: 'TX-1' } });
    expect(v16.sameTransactionSlot('1', '1')).toBe(true);
    expect(v16.sameTransactionSlot('1', '2')).toBe(false);
    expect(v201.sameTransactionSlot('1/1', '1/2')).toBe(true);
    expect(v201.sameTransactionSlot('1/1', '2/1')).toBe(false);
  });

  it('reads the status both versions answer with', () => {
    expect(answerStatus({ status: 'Accepted' })).toBe('Accepted');
    expect(answerStatus({})).toBeUndefined();
    expect(answerStatus(undefined)).toBeUndefined();
  });
});
