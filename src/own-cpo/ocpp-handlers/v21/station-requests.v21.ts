import type { OcppHandler } from '../ocpp-handler';
import { keptWith } from '../v201/notifications.v201';

/**
 * The requests OCPP 2.1 adds for a charging station to send, each kept with the hub's answer. The hub
 * takes what it can act on or show, and refuses with the status the schema defines what it does not
 * run (rather than NotImplemented, so the station knows the feature is not offered).
 */
const kept = <Answer extends Record<string, unknown>>(action: string, answer: Answer): OcppHandler<Record<string, unknown>, Answer> => (call) => keptWith(call, action, answer);

/** Battery swap stations (2.1 block S): a swap in or out, for the operator. */
export const batterySwap = kept('BatterySwap', {});
/** Priority charging (K): the station tells that a transaction's priority charging started or ended. */
export const notifyPriorityCharging = kept('NotifyPriorityCharging', {});
/** Payment terminals (C): the outcome of a settlement at the station's own terminal. */
export const notifySettlement = kept('NotifySettlement', {});
/** DER control (R): alarms, starts and stops, and reports of the controls in force. */
export const notifyDERAlarm = kept('NotifyDERAlarm', {});
export const notifyDERStartStop = kept('NotifyDERStartStop', {});
export const reportDERControl = kept('ReportDERControl', {});
export const closePeriodicEventStream = kept('ClosePeriodicEventStream', {});

/**
 * Periodic event streams (N) carry their data in OCPP-J SEND frames, which the RPC framework does not
 * read: accepting a stream would lose its data, so it is refused.
 */
export const openPeriodicEventStream = kept('OpenPeriodicEventStream', {
  status: 'Rejected',
  statusInfo: { reasonCode: 'NoSendFrames', additionalInfo: 'the hub does not read OCPP-J SEND frames; report through NotifyEvent' },
});

/** Dynamic charging profiles (K): the hub sets none (its load management sends static TxProfiles). */
export const pullDynamicScheduleUpdate = kept('PullDynamicScheduleUpdate', {
  status: 'Rejected',
  statusInfo: { reasonCode: 'NoDynamicProfile', additionalInfo: 'the hub sets no dynamic charging profiles' },
});

/** VAT numbers (C): the hub has no VAT number register to check against. */
export const vatNumberValidation: OcppHandler<{ vatNumber: string; evseId?: number }, Record<string, unknown>> = (call) =>
  keptWith(call, 'VatNumberValidation', {
    vatNumber: call.params.vatNumber,
    ...(call.params.evseId !== undefined && { evseId: call.params.evseId }),
    status: 'Rejected',
    statusInfo: { reasonCode: 'NoVatValidation', additionalInfo: 'the hub cannot validate VAT numbers' },
  });

/** Certificate chains (A/M): like 2.0.1's GetCertificateStatus, the hub has no OCSP or CRL client; each certificate is Failed. */
export const getCertificateChainStatus: OcppHandler<
  { certificateStatusRequests: { certificateHashData: Record<string, unknown>; source: 'CRL' | 'OCSP' }[] },
  { certificateStatus: { certificateHashData: Record<string, unknown>; source: string; status: 'Failed'; nextUpdate: string }[] }
> = (call) =>
  keptWith(call, 'GetCertificateChainStatus', {
    certificateStatus: call.params.certificateStatusRequests.map((r) => ({
      certificateHashData: r.certificateHashData,
      source: r.source,
      status: 'Failed' as const,
      nextUpdate: new Date(Date.now() + 3_600_000).toISOString(),
    })),
  });
