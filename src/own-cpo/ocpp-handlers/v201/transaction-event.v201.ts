import { createRPCError } from 'ocpp-rpc';
import { type MeterValue, readMeterValue } from '../../../core/charging/meter-samples';
import { authorizeHere, idTokenInfo, type OcppHandler, ocpiTokenType } from '../ocpp-handler';

interface TransactionEventRequest {
  eventType: 'Started' | 'Updated' | 'Ended';
  timestamp: string;
  triggerReason: string;
  seqNo: number;
  offline?: boolean;
  reservationId?: number;
  transactionInfo: { transactionId: string; chargingState?: string; stoppedReason?: string; remoteStartId?: number };
  idToken?: { idToken: string; type: string };
  evse?: { id: number; connectorId?: number };
  meterValue?: MeterValue[];
}

/** The energy register of the reading in a given context (Transaction.Begin / Transaction.End), if reported. */
function registerAt(meterValues: MeterValue[], context: string): number | undefined {
  const samples = meterValues.map(readMeterValue).filter((s) => s !== undefined);
  const energy = samples.filter((s) => s.energyWh !== undefined);
  return (energy.find((s) => s.context === context) ?? energy[energy.length - 1])?.energyWh;
}

/**
 * OCPP 2.0.1 E01-E15: one event of a transaction. A station that was offline sends its backlog in
 * order (seqNo); an Updated or Ended for a transaction the hub has not seen starts it from that event,
 * so nothing the station measured is lost. The idToken may come after the start (cable plugged first).
 */
export const transactionEvent: OcppHandler<TransactionEventRequest, { idTokenInfo?: ReturnType<typeof idTokenInfo> }> = async (call) => {
  const { chargerId, params, transactions, lost } = call;
  const transactionId = params.transactionInfo.transactionId;
  const meterValue = params.meterValue ?? [];
  const token = params.idToken && params.idToken.type !== 'NoAuthorization' ? { uid: params.idToken.idToken, type: ocpiTokenType(params.idToken.type) } : undefined;
  const auth = token && (await authorizeHere(call, token));

  let transaction = await transactions.find(chargerId, transactionId);
  if (!transaction) {
    if (!params.evse) {
      throw createRPCError('OccurrenceConstraintViolation', 'The first TransactionEvent of a transaction must name its evse');
    }
    transaction = await transactions.start(
      {
        chargerId,
        ocppConnector: `${params.evse.id}/${params.evse.connectorId ?? 1}`,
        transactionId,
        token,
        meterStartWh: registerAt(meterValue, 'Transaction.Begin') ?? 0,
        timestamp: new Date(params.timestamp),
        reservationId: params.reservationId,
        remoteStartId: params.transactionInfo.remoteStartId,
      },
      auth ?? null,
    );
    await lost.started(transaction, call.protocol); // an older one on this EVSE: the station is asked about it
  } else if (token && auth) {
    transaction = await transactions.authorizeLater(transaction, token, auth);
  }

  const readable = meterValue.filter((m) => readMeterValue(m));
  if (params.eventType !== 'Ended' && readable.length) {
    await transactions.meterValues(chargerId, transaction.ocppConnector, transactionId, readable.map((m) => readMeterValue(m)!), readable);
  }
  if (params.eventType === 'Ended') {
    await transactions.stop({
      chargerId,
      transactionId,
      meterStopWh: registerAt(meterValue, 'Transaction.End'),
      timestamp: new Date(params.timestamp),
      reason: params.transactionInfo.stoppedReason,
      samples: readable.map((m) => readMeterValue(m)!),
      raw: readable,
    });
  }
  return auth ? { idTokenInfo: idTokenInfo(auth) } : {};
};
