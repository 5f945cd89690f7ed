import type { Logger } from 'pino';
import type { ChargerDeviceModel } from '../chargers/charger-device-model';
import type { ChargersService, OcppProtocol } from '../chargers/chargers.service';
import type { ChargerCalls } from '../ocpp/charger-calls';
import { CHARGER_PROTOCOLS } from '../ocpp/charger-protocols';

/** A device model report younger than this is not asked for again at a boot. */
const REPORT_MAX_AGE_MS = 24 * 3_600_000;

/**
 * Fills the device model store without the operator: a 2.0.1/2.1 station whose boot is accepted is
 * asked for its configuration (GetBaseReport ConfigurationInventory, B07) unless the hub holds a
 * report of it from the last day; its NotifyReport messages then land in charger_variables
 * (notify-report.v201.ts). The exchange is kept with the station's answer.
 */
export class DeviceModelReports {
  constructor(private readonly deps: { chargers: ChargersService; deviceModel: ChargerDeviceModel; calls: ChargerCalls; log: Logger; now?: () => Date }) {}

  /** Answers whether the station was asked. */
  async booted(chargerId: string, protocol: OcppProtocol): Promise<boolean> {
    const shape = CHARGER_PROTOCOLS[protocol].baseReport;
    if (!shape) return false;
    const now = (this.deps.now ?? (() => new Date()))();
    const last = await this.deps.deviceModel.lastReportedAt(chargerId);
    if (last && now.getTime() - last.getTime() < REPORT_MAX_AGE_MS) return false;
    // A request id the station echoes in its NotifyReport messages: seconds since the epoch fit its integer.
    const call = shape(Math.floor(now.getTime() / 1000) % 2_000_000_000);
    try {
      const answer = await this.deps.calls.call(chargerId, call.action, call.params);
      await this.deps.chargers.recordEvent(chargerId, call.action, call.params, answer);
      return true;
    } catch (error) {
      this.deps.log.warn({ err: error, charger: chargerId }, 'could not ask a station for its device model');
      return false;
    }
  }
}
