/** VAT, price limits, and odd input: anomalies come back as notes, never as exceptions. */
import { priceSession, toPricingInput } from '../../../src/core/pricing/pricing-core';
import { cdrOf, price, tariffWith, type Stretch } from './support';

const START = '2024-01-08T09:00:00Z';
const charge: Stretch[] = [{ kind: 'charging', minutes: 60, kwh: 10 }];
const flatAndEnergy = (flatVat: number | undefined, energyVat: number | undefined, extra: Record<string, unknown> = {}) =>
  tariffWith(
    [
      {
        price_components: [
          { type: 'FLAT', price: 1, step_size: 1, ...(flatVat === undefined ? {} : { vat: flatVat }) },
          { type: 'ENERGY', price: 0.3, step_size: 1, ...(energyVat === undefined ? {} : { vat: energyVat }) },
        ],
      },
    ],
    extra,
  );
const codes = (b: { notes: { code: string }[] }) => b.notes.map((n) => n.code);

describe('VAT', () => {
  it('leaves incl_vat out where a priced component has no vat', () => {
    // "vat: Applicable VAT percentage for this tariff dimension. If omitted, no VAT is applicable. Not providing a
    // VAT is different from 0% VAT, which would be a value of 0.0 here." So incl_vat cannot be computed, and the
    // Price's incl_vat (cardinality ?) is left out rather than guessed.
    const b = price(flatAndEnergy(20, undefined), cdrOf(START, charge));
    expect(b.total_fixed_cost).toEqual({ excl_vat: 1, incl_vat: 1.2 });
    expect(b.total_energy_cost).toEqual({ excl_vat: 3 });
    expect(b.total_cost).toEqual({ excl_vat: 4 });
    expect('incl_vat' in b.total_cost).toBe(false);
    expect(codes(b)).toEqual(['VAT_UNKNOWN']);
    expect(b.notes[0].message).toContain('element 0 prices ENERGY');
  });

  it('treats 0% VAT as a VAT', () => {
    const b = price(flatAndEnergy(0, 0), cdrOf(START, charge));
    expect(b.total_cost).toEqual({ excl_vat: 4, incl_vat: 4 });
    expect(b.notes).toEqual([]);
  });

  it('applies each component its own VAT', () => {
    const b = price(flatAndEnergy(20, 7), cdrOf(START, charge));
    expect(b.total_cost).toEqual({ excl_vat: 4, incl_vat: 4.41 }); // 1.20 + 3.21
  });
});

describe('min_price / max_price', () => {
  // "So as a rule, they both apply: The total cost of a Charging Session excluding VAT can never be lower than the
  // min_price excluding VAT. The total cost of a Charging Session including VAT can never be lower than the min_price
  // including VAT." (and the same for max_price)
  it('applies the two bounds independently', () => {
    // 1.00 + 3.00 excl, 1.00 + 3.90 incl (30% VAT on energy): the excl bound bites, the incl one does not.
    const b = price(flatAndEnergy(0, 30, { min_price: { excl_vat: 4.5, incl_vat: 4.6 } }), cdrOf(START, charge));
    expect(b.total_cost).toEqual({ excl_vat: 4.5, incl_vat: 4.9 });
    expect(b.limitApplied).toBe('MIN_PRICE');
  });

  it('moves the VAT in proportion when the limit has no incl_vat', () => {
    const b = price(flatAndEnergy(20, 20, { max_price: { excl_vat: 2 } }), cdrOf(START, charge));
    expect(b.total_cost).toEqual({ excl_vat: 2, incl_vat: 2.4 });
    expect(b.total_energy_cost).toEqual({ excl_vat: 3, incl_vat: 3.6 }); // the parts stay as metered
    expect(codes(b)).toEqual(['PRICE_LIMIT_APPLIED']);
  });

  it('cannot say what the VAT of a minimum is when nothing was charged and the limit has no incl_vat', () => {
    const tariff = tariffWith(
      [{ price_components: [{ type: 'ENERGY', price: 0.3, vat: 20, step_size: 1 }] }],
      { min_price: { excl_vat: 2 } },
    );
    const b = price(tariff, cdrOf(START, [{ kind: 'parking', minutes: 10 }]));
    expect(b.total_cost).toEqual({ excl_vat: 2 });
  });

  it('keeps incl_vat unknown under a limit when the VAT is unknown', () => {
    const b = price(flatAndEnergy(20, undefined, { max_price: { excl_vat: 2, incl_vat: 2.4 } }), cdrOf(START, charge));
    expect(b.total_cost).toEqual({ excl_vat: 2 });
  });
});

describe('odd input', () => {
  const energyOnly = tariffWith([{ price_components: [{ type: 'ENERGY', price: 0.5, vat: 0, step_size: 1 }] }]);

  it('reads negative volumes as zero', () => {
    // ENERGY: "When negative, more energy was feed into the grid then charged into the EV." A 2.2.1 tariff has no
    // price for that, so it is read as nothing charged.
    const cdr = cdrOf(START, [{ kind: 'energy', minutes: 60, kwh: -2 }, { kind: 'charging', minutes: 60, kwh: 4 }]);
    const b = price(energyOnly, cdr);
    expect(b.total_cost.excl_vat).toBe(2);
    expect(b.total_energy).toBe(4);
    expect(codes(b)).toEqual(['INVALID_VOLUME']);
  });

  it('reads a volume that is not a finite number as zero', () => {
    const b = price(energyOnly, cdrOf(START, [{ kind: 'energy', minutes: 60, kwh: Number.NaN }]));
    expect(b.total_cost.excl_vat).toBe(0);
    expect(codes(b)).toEqual(['INVALID_VOLUME']);
  });

  it('refuses a DateTime it cannot read, since there is no timeline to price', () => {
    expect(() => toPricingInput(energyOnly, { ...cdrOf(START, charge), end_date_time: 'yesterday' }, 'UTC')).toThrow(RangeError);
  });

  it('sorts periods that are out of order', () => {
    const tariff = tariffWith([
      { price_components: [{ type: 'ENERGY', price: 0.3, vat: 0, step_size: 1 }], restrictions: { max_kwh: 5 } },
      { price_components: [{ type: 'ENERGY', price: 0.2, vat: 0, step_size: 1 }] },
    ]);
    const cdr = cdrOf(START, [{ kind: 'charging', minutes: 30, kwh: 5 }, { kind: 'charging', minutes: 30, kwh: 5 }]);
    const shuffled = { ...cdr, charging_periods: [...cdr.charging_periods].reverse() };
    const b = price(tariff, shuffled);
    expect(b.total_cost.excl_vat).toBe(price(tariff, cdr).total_cost.excl_vat);
    expect(codes(b)).toEqual(['PERIODS_OUT_OF_ORDER']);
  });

  it('falls back to UTC for a time zone that does not exist', () => {
    const b = price(energyOnly, cdrOf(START, charge), { timeZone: 'Mars/Olympus_Mons' });
    expect(b.total_cost.excl_vat).toBe(5);
    expect(codes(b)).toEqual(['INVALID_TIME_ZONE']);
  });

  it('notes a period that names another tariff', () => {
    const cdr = cdrOf(START, charge);
    const b = price(energyOnly, { ...cdr, charging_periods: [{ ...cdr.charging_periods[0], tariff_id: 'OTHER' }] });
    expect(codes(b)).toEqual(['TARIFF_ID_MISMATCH']);
    const same = price(energyOnly, { ...cdr, charging_periods: [{ ...cdr.charging_periods[0], tariff_id: 't1' }] });
    expect(same.notes).toEqual([]); // CiString: case-insensitive
  });

  it('uses the first of two components of one dimension in an element', () => {
    const tariff = tariffWith([
      {
        price_components: [
          { type: 'ENERGY', price: 0.5, vat: 0, step_size: 1 },
          { type: 'ENERGY', price: 0.9, vat: 0, step_size: 1 },
        ],
      },
    ]);
    const b = price(tariff, cdrOf(START, charge));
    expect(b.total_cost.excl_vat).toBe(5);
    expect(codes(b)).toEqual(['DUPLICATE_DIMENSION']);
  });

  it('notes volumes that do not fit in their period', () => {
    const cdr = cdrOf(START, charge);
    const threeHours = [{ type: 'TIME' as const, volume: 3 }];
    const overfull = { ...cdr, charging_periods: [{ ...cdr.charging_periods[0], dimensions: threeHours }] };
    expect(codes(price(energyOnly, overfull))).toEqual(['VOLUMES_EXCEED_PERIOD']);
  });

  it('still charges a FLAT fee for a CDR without charging periods', () => {
    const tariff = tariffWith([{ price_components: [{ type: 'FLAT', price: 1.5, vat: 10, step_size: 1 }] }]);
    const b = price(tariff, { start_date_time: START, end_date_time: '2024-01-08T09:05:00Z', charging_periods: [] });
    expect(b.total_cost).toEqual({ excl_vat: 1.5, incl_vat: 1.65 });
    expect(codes(b)).toEqual(['NO_CHARGING_PERIODS']);
  });

  it('reads a DateTime without a time zone designator as UTC', () => {
    // "The absence of the timezone designator implies a UTC timestamp." (types)
    const cdr = cdrOf(START, charge);
    const bare = {
      start_date_time: '2024-01-08T09:00:00',
      end_date_time: '2024-01-08T10:00:00',
      charging_periods: [{ ...cdr.charging_periods[0], start_date_time: '2024-01-08T09:00:00' }],
    };
    expect(price(energyOnly, bare).total_time).toBe(1);
  });
});

describe('purity', () => {
  it('prices the same input to the same result, without changing it', () => {
    const tariff = flatAndEnergy(20, 10, { max_price: { excl_vat: 3, incl_vat: 3.5 } });
    const input = toPricingInput(tariff, cdrOf(START, charge), 'Europe/Berlin');
    const before = JSON.stringify(input, (_, value) => (typeof value === 'bigint' ? value.toString() : value));
    const first = priceSession(input);
    const second = priceSession(input);
    expect(second).toEqual(first);
    expect(JSON.stringify(input, (_, value) => (typeof value === 'bigint' ? value.toString() : value))).toBe(before);
  });

  it('returns a breakdown that survives JSON', () => {
    const b = price(flatAndEnergy(20, undefined), cdrOf(START, [...charge, { kind: 'parking', minutes: 8 }]));
    expect(JSON.parse(JSON.stringify(b))).toEqual(b);
  });
});
