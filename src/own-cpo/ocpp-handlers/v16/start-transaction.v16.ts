import { authorizeHere, idTagInfo, type OcppHandler } from '../ocpp-handler';

interface StartTransactionRequest {
  connectorId: number;
  idTag: string;
  meterStart: number;
  reservationId?: number;
  timestamp: string;
}

/**
 * OCPP 1.6 §4.8: a transaction started. The hub hands out the transaction id and the idTag's status;
 * a transaction with a refused idTag is still recorded (the charger will stop it and report the stop).
 */
export const startTransaction: OcppHandler<StartTransactionRequest, { transactionId: number; idTagInfo: ReturnType<typeof idTagInfo> }> = async (call) => {
  const { chargerId, params, transactions, lost } = call;
  const auth = await authorizeHere(call, { uid: params.idTag, type: 'RFID' });
  const transaction = await transactions.start(
    {
      chargerId,
      ocppConnector: String(params.connectorId),
      token: { uid: params.idTag, type: 'RFID' },
      meterStartWh: params.meterStart,
      timestamp: new Date(params.timestamp),
      reservationId: params.reservationId,
    },
    auth,
  );
  await lost.started(transaction, 'ocpp1.6'); // an older transaction still running on this connector was lost
  return { transactionId: Number(transaction.transactionId), idTagInfo: idTagInfo(transaction.auth ?? auth) };
};
