/**
 * What an EV's charging needs (OCPP 2.0.1 NotifyEVChargingNeeds, ISO 15118) mean for the site
 * allocation, pure: the car's maximum (and minimum) current per phase, the energy it still asks for
 * and its departure. AC parameters are per phase already; a DC car's maximum power (or maximum
 * current × voltage) is drawn from the grid over the connector's phases at the site's nominal voltage.
 */
import type { SessionDemand } from './site';

/** OCPP 2.0.1 ChargingNeedsType (2.1 has the same fields and more, which the allocation does not use). */
export interface EvChargingNeeds {
  requestedEnergyTransfer?: string;
  departureTime?: string;
  acChargingParameters?: { energyAmount?: number; evMinCurrent?: number; evMaxCurrent?: number; evMaxVoltage?: number };
  dcChargingParameters?: { evMaxCurrent?: number; evMaxVoltage?: number; energyAmount?: number; evMaxPower?: number; stateOfCharge?: number; evEnergyCapacity?: number };
}

export type EvDemand = Pick<SessionDemand, 'maxAmps' | 'minAmps' | 'energyNeededWh' | 'departureTime'>;

const positive = (n: number | undefined): n is number => typeof n === 'number' && Number.isFinite(n) && n > 0;

/**
 * The session inputs an EV's needs give. `deliveredWh` is what the session delivered since the
 * needs were sent (the EV asked for its energy amount then). Nothing is invented: a field the car
 * did not send gives no input.
 */
export function evDemandOf(needs: EvChargingNeeds, connector: { phases: number; nominalVoltage: number }, deliveredWh = 0): EvDemand {
  const demand: EvDemand = {};
  const ac = needs.acChargingParameters;
  const dc = needs.dcChargingParameters;
  if (ac) {
    if (positive(ac.evMaxCurrent)) demand.maxAmps = ac.evMaxCurrent;
    if (positive(ac.evMinCurrent)) demand.minAmps = ac.evMinCurrent;
  } else if (dc) {
    const watts = positive(dc.evMaxPower) ? dc.evMaxPower : positive(dc.evMaxCurrent) && positive(dc.evMaxVoltage) ? dc.evMaxCurrent * dc.evMaxVoltage : undefined;
    if (watts !== undefined) demand.maxAmps = watts / (Math.max(1, connector.phases) * connector.nominalVoltage);
  }
  const energy = ac?.energyAmount ?? dc?.energyAmount;
  if (typeof energy === 'number' && energy >= 0) demand.energyNeededWh = Math.max(0, energy - Math.max(0, deliveredWh));
  if (needs.departureTime && !Number.isNaN(Date.parse(needs.departureTime))) demand.departureTime = new Date(needs.departureTime);
  return demand;
}
