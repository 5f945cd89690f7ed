import { compareTotals } from '../../../src/core/pricing/pricing-core';
import type { CdrTotals } from '../../../src/core/pricing/pricing-core';

const zero = { excl_vat: 0, incl_vat: 0 };
const computed: CdrTotals = {
  total_cost: { excl_vat: 5, incl_vat: 5.5 },
  total_fixed_cost: zero,
  total_energy: 20,
  total_energy_cost: { excl_vat: 5, incl_vat: 5.5 },
  total_time: 1.5,
  total_time_cost: zero,
  total_parking_time: 0,
  total_parking_cost: zero,
  total_reservation_cost: zero,
};

describe('compareTotals', () => {
  it('finds no difference when the CDR agrees (absent optional costs count as 0)', () => {
    const cdr = { total_cost: { excl_vat: 5, incl_vat: 5.5 }, total_energy: 20, total_energy_cost: { excl_vat: 5.004 }, total_time: 1.5 };
    expect(compareTotals(computed, cdr, 0.005)).toEqual([]);
  });

  it('names every total beyond the tolerance, and one missing on a side', () => {
    const cdr = { total_cost: { excl_vat: 5.2, incl_vat: 5.72 }, total_energy: 19.5, total_time: 1.5, total_parking_time: 0.25 };
    expect(compareTotals(computed, cdr, 0.005)).toEqual([
      { field: 'total_cost.excl_vat', computed: 5, reported: 5.2, difference: -0.2 },
      { field: 'total_cost.incl_vat', computed: 5.5, reported: 5.72, difference: -0.22 },
      { field: 'total_energy_cost.excl_vat', computed: 5, reported: 0, difference: 5 },
      { field: 'total_energy_cost.incl_vat', computed: 5.5, reported: 0, difference: 5.5 },
      { field: 'total_energy', computed: 20, reported: 19.5, difference: 0.5 },
      { field: 'total_parking_time', computed: 0, reported: 0.25, difference: -0.25 },
    ]);
  });

  it('reports a required total the CDR lacks, and an incl_vat the hub cannot compute', () => {
    const unknownVat: CdrTotals = { ...computed, total_cost: { excl_vat: 5 } };
    const differences = compareTotals(unknownVat, { total_cost: { excl_vat: 5, incl_vat: 5.5 }, total_time: 1.5, total_energy_cost: { excl_vat: 5 } }, 0.005);
    expect(differences).toEqual([
      { field: 'total_cost.incl_vat', computed: null, reported: 5.5, difference: null },
      { field: 'total_energy', computed: 20, reported: null, difference: null },
    ]);
  });
});
