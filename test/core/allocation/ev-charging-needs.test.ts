import { allocate, evDemandOf, type Site } from '../../../src/core/allocation/allocation-core';

/** An EV's ISO 15118 needs (OCPP NotifyEVChargingNeeds) as allocation inputs. */
describe('evDemandOf', () => {
  const connector = { phases: 3, nominalVoltage: 230 };

  it('takes an AC car\'s maximum and minimum current per phase, and what is left of the energy it asked for', () => {
    expect(evDemandOf({ acChargingParameters: { energyAmount: 20_000, evMinCurrent: 6, evMaxCurrent: 16, evMaxVoltage: 400 }, departureTime: '2030-01-01T08:00:00Z' }, connector, 5_000)).toEqual({
      maxAmps: 16,
      minAmps: 6,
      energyNeededWh: 15_000,
      departureTime: new Date('2030-01-01T08:00:00Z'),
    });
  });

  it('draws a DC car\'s maximum power from the grid over the connector\'s phases (its current × voltage without a power)', () => {
    expect(evDemandOf({ dcChargingParameters: { evMaxCurrent: 125, evMaxVoltage: 400, evMaxPower: 20_700 } }, connector).maxAmps).toBeCloseTo(30, 9);
    expect(evDemandOf({ dcChargingParameters: { evMaxCurrent: 30, evMaxVoltage: 230 } }, { phases: 1, nominalVoltage: 230 }).maxAmps).toBeCloseTo(30, 9);
  });

  it('invents nothing: no field, no input; a delivered amount over the request leaves 0; a bad departure is ignored', () => {
    expect(evDemandOf({ requestedEnergyTransfer: 'AC_single_phase' }, connector)).toEqual({});
    expect(evDemandOf({ acChargingParameters: { energyAmount: 1_000, evMaxCurrent: 0 }, departureTime: 'soon' }, connector, 3_000)).toEqual({ energyNeededWh: 0 });
  });

  it('caps the session in the allocation', () => {
    const site: Site = { id: 'S', timeZone: 'Europe/Amsterdam', limit: { amps: 32 }, connectors: [{ connectorKey: 'C/1', phases: 3, maxAmps: 32 }] };
    const ev = evDemandOf({ acChargingParameters: { evMaxCurrent: 10 } }, connector);
    const free = allocate(site, [{ connectorKey: 'C/1' }], new Date());
    const capped = allocate(site, [{ connectorKey: 'C/1', ...ev }], new Date());
    expect([free.connectors[0]?.limitAmps, capped.connectors[0]?.limitAmps]).toEqual([32, 10]);
  });
});
