/**
 * Every worked example in the OCPI 2.2.1 spec (mod_tariffs, mod_cdrs, v2.2.1-d2), each quoting the sentence it
 * reproduces. Sessions are written as the prose narrates them, in the Location's local time (Europe/Berlin):
 * CET (UTC+1) in March, CEST (UTC+2) in June.
 */
import { cdrOf, exampleTariff, policyWith, price, readExample, tariffOf, tariffWith, type Stretch } from './support';
import type { PricedLine } from '../../../src/core/pricing/pricing-core';

const priced = (file: string, startUtc: string, stretches: Stretch[], options?: Parameters<typeof price>[2]) =>
  price(exampleTariff(file), cdrOf(startUtc, stretches), options);

const line = (lines: PricedLine[], dimension: string, elementIndex?: number) =>
  lines.find((l) => l.dimension === dimension && (elementIndex === undefined || l.elementIndex === elementIndex));

describe('mod_tariffs examples', () => {
  it('tariff_8: € 0.25 per kWh', () => {
    // "This tariff will result in costs of € 5.00 (excl. VAT) or € 5.50 (incl. VAT) when 20 kWh are charged."
    const b = priced('tariff_8_simple_025kwh.json', '2019-03-04T09:00:00Z', [{ kind: 'charging', minutes: 60, kwh: 20 }]);
    expect(b.total_cost).toEqual({ excl_vat: 5, incl_vat: 5.5 });
    expect(b.total_energy_cost).toEqual({ excl_vat: 5, incl_vat: 5.5 });
    expect(b.total_energy).toBe(20);
    expect(b.notes).toEqual([]);
  });

  it('tariff_9: € 0.25 per kWh + start fee', () => {
    // "This tariff will result in total cost of € 5.50 (excl. VAT) or € 6.10 (incl. VAT) when 20 kWh are charged."
    const b = priced('tariff_9_025kwh_start.json', '2019-03-04T09:00:00Z', [{ kind: 'charging', minutes: 60, kwh: 20 }]);
    expect(b.total_cost).toEqual({ excl_vat: 5.5, incl_vat: 6.1 });
    expect(b.total_fixed_cost).toEqual({ excl_vat: 0.5, incl_vat: 0.6 });
  });

  describe('tariff_12: € 0.25 per kWh + minimum price', () => {
    const file = 'tariff_12_025kwh_min_price.json';
    it('costs € 5.00 / € 5.50 for 20 kWh', () => {
      // "This tariff will result in costs of € 5.00 (excl. VAT) or € 5.50 (incl. VAT) when 20 kWh are charged."
      const b = priced(file, '2019-03-04T09:00:00Z', [{ kind: 'charging', minutes: 60, kwh: 20 }]);
      expect(b.total_cost).toEqual({ excl_vat: 5, incl_vat: 5.5 });
      expect(b.limitApplied).toBeUndefined();
    });

    it.each([
      [0.1, 0.03],
      [1.5, 0.38],
      [1.99, 0.5], // 0.4975 is under the minimum, though it reports as 0.50
    ])('costs the minimum for %s kWh (energy metered at € %s)', (kwh, energyCost) => {
      // "But if less than 2 kWh is charged, € 0.50 (excl. VAT) or € 0.55 (incl. VAT) will be billed."
      const b = priced(file, '2019-03-04T09:00:00Z', [{ kind: 'charging', minutes: 20, kwh }]);
      expect(b.total_cost).toEqual({ excl_vat: 0.5, incl_vat: 0.55 });
      expect(b.limitApplied).toBe('MIN_PRICE');
      // Only total_cost is limited; the energy total is what was metered.
      expect(b.total_energy_cost.excl_vat).toBe(energyCost);
      expect(b.notes.map((n) => n.code)).toEqual(['PRICE_LIMIT_APPLIED']);
    });

    it('is not limited at exactly 2 kWh', () => {
      const b = priced(file, '2019-03-04T09:00:00Z', [{ kind: 'charging', minutes: 20, kwh: 2 }]);
      expect(b.total_cost).toEqual({ excl_vat: 0.5, incl_vat: 0.55 });
      expect(b.limitApplied).toBeUndefined();
    });
  });

  it('tariff_10: € 0.25 per kWh + parking fee + start fee', () => {
    // "For a charging session where 20 kWh are charged and the vehicle is parked for 40 minutes after the session
    // ended, this tariff will result in costs of € 7.00 (excl. VAT) or € 7.90 (incl. VAT). Because the parking time
    // is billed per 15 minutes, the driver has to pay for 45 minutes of parking"
    const b = priced('tariff_10_025kwh_parking_start.json', '2019-03-04T09:00:00Z', [
      { kind: 'charging', minutes: 60, kwh: 20 },
      { kind: 'parking', minutes: 40 },
    ]);
    expect(b.total_cost).toEqual({ excl_vat: 7, incl_vat: 7.9 });
    expect(line(b.lines, 'PARKING_TIME')).toMatchObject({ measured: 0.6667, billed: 0.75 });
    expect(b.total_parking_cost).toEqual({ excl_vat: 1.5, incl_vat: 1.8 });
    expect(b.total_parking_time).toBe(0.6667);
  });

  describe('tariff_6: € 0.25 per kWh + start fee + max price + tariff end date', () => {
    const file = 'tariff_6_025kwh_start_max_price.json';
    it('is capped at € 10.00 / € 11.00 for 50 kWh', () => {
      // "For a charging session where 50 kWh are charged, this tariff will result in costs of € 10.00 (excl. VAT)
      // or € 11.00 (incl. VAT) due to the price limit."
      const b = priced(file, '2019-03-04T09:00:00Z', [{ kind: 'charging', minutes: 120, kwh: 50 }]);
      expect(b.total_cost).toEqual({ excl_vat: 10, incl_vat: 11 });
      expect(b.limitApplied).toBe('MAX_PRICE');
    });

    it('is under the cap for 30 kWh', () => {
      // "If only 30 kWh were charged, the costs would be € 8.00 (excl. VAT) and € 8.85 (incl. VAT), as the start fee
      // combined with the energy costs would be lower than the defined max price."
      const b = priced(file, '2019-03-04T09:00:00Z', [{ kind: 'charging', minutes: 90, kwh: 30 }]);
      expect(b.total_cost).toEqual({ excl_vat: 8, incl_vat: 8.85 });
      expect(b.limitApplied).toBeUndefined();
    });

    it('notes a session that starts after the end date', () => {
      // "This tariff has an end date: 30 June 2019" — "end_date_time: The time after which this tariff is no longer
      // valid". The caller chose the tariff, so it is applied, with a note.
      const b = priced(file, '2019-07-01T09:00:00Z', [{ kind: 'charging', minutes: 90, kwh: 30 }]);
      expect(b.total_cost).toEqual({ excl_vat: 8, incl_vat: 8.85 });
      expect(b.notes.map((n) => n.code)).toEqual(['TARIFF_NOT_ACTIVE']);
    });
  });

  it('tariff_1: € 2 per hour', () => {
    // "For a charging session of 2.5 hours, this tariff will result in costs of € 5.00 (excl. VAT) or € 5.50
    // (incl. VAT)." … "the driver will not be billed for time they are not charging: PARKING_TIME"
    const b = priced('tariff_1_simple_2hour.json', '2019-03-04T09:00:00Z', [
      { kind: 'charging', minutes: 150 },
      { kind: 'parking', minutes: 30 },
    ]);
    expect(b.total_cost).toEqual({ excl_vat: 5, incl_vat: 5.5 });
    expect(b.total_parking_cost).toEqual({ excl_vat: 0, incl_vat: 0 });
    expect(b.total_time).toBe(3);
  });

  it('tariff_13: € 3 per hour, € 5 per hour parking', () => {
    // "A charging session of 2.5 hours (charging), where the vehicle is parked for 42 more minutes after charging
    // ended … will result in total cost of € 11.25 (excl. VAT) or € 12.75 (incl. VAT). Because the parking time is
    // billed per 5 minutes, the driver has to pay for 45 minutes of parking"
    const b = priced('tariff_13_simple_3hour_5parking.json', '2019-03-04T09:00:00Z', [
      { kind: 'charging', minutes: 150 },
      { kind: 'parking', minutes: 42 },
    ]);
    expect(b.total_cost).toEqual({ excl_vat: 11.25, incl_vat: 12.75 });
    expect(b.total_time_cost).toEqual({ excl_vat: 7.5, incl_vat: 8.25 });
    expect(b.total_parking_cost).toEqual({ excl_vat: 3.75, incl_vat: 4.5 });
  });

  it('tariff_2: ad-hoc € 1.90 per hour with 5.2% VAT', () => {
    // "For a charging session of 2.5 hours, this tariff will result in costs of € 4.75 (excl. VAT) or € 5.00
    // (incl. VAT)." (4.75 × 1.052 = 4.997)
    const b = priced('tariff_2_alt_text.json', '2019-03-04T09:00:00Z', [{ kind: 'charging', minutes: 150 }]);
    expect(b.total_cost).toEqual({ excl_vat: 4.75, incl_vat: 5 });
  });

  it('tariff_3: € 0.25 per kWh billed per 100 Wh + start fee', () => {
    // "For a charging session where 20.45 kWh are charged: … Start fee: € 0.50 (excl. VAT), € 0.60 (incl. VAT) …
    // Energy costs: € 5.13 (excl. VAT), € 5.64 (incl. VAT) … Total: € 5.63 (excl. VAT), € 6.24 (incl. VAT)" …
    // "Because the energy is billed per 0.1 kWh, the driver has to pay for 20.5 kWh even though they only charged
    // 20.45 kWh."
    const b = priced('tariff_3_alt_url.json', '2019-03-04T09:00:00Z', [{ kind: 'charging', minutes: 60, kwh: 20.45 }]);
    expect(b.total_cost).toEqual({ excl_vat: 5.63, incl_vat: 6.24 });
    expect(b.total_fixed_cost).toEqual({ excl_vat: 0.5, incl_vat: 0.6 });
    expect(b.total_energy_cost).toEqual({ excl_vat: 5.13, incl_vat: 5.64 });
    expect(line(b.lines, 'ENERGY')).toMatchObject({ measured: 20.45, billed: 20.5 });
    expect(b.total_energy).toBe(20.45);
  });

  describe('tariff_4: complex tariff', () => {
    const file = 'tariff_4_complex.json';

    it('Monday morning, under 32 A, with parking', () => {
      // "For a charging session on a Monday morning starting at 09:30 which takes 2:45 hours (165 minutes), where
      // the driver uses a maximum of 16A of current and is parking for additional 42 minutes afterwards, this tariff
      // will result in costs of € 9.00 (excl. VAT) or € 10.30 (incl. VAT)"
      const b = priced(file, '2019-06-03T07:30:00Z', [
        { kind: 'charging', minutes: 165, dimensions: [{ type: 'MAX_CURRENT', volume: 16 }] },
        { kind: 'parking', minutes: 42 },
      ]);
      expect(b.total_cost).toEqual({ excl_vat: 9, incl_vat: 10.3 });
      // "The step_size of the last time-based period is 5 so the parking time duration of 42 minutes is rounded up
      // to 45." … "The charging time is not affected by step_size because it is followed by another time-based
      // period." (the charging component's step_size is 15 minutes: 165 is not rounded to 180)
      expect(line(b.lines, 'TIME')).toMatchObject({ elementIndex: 1, measured: 2.75, billed: 2.75 });
      expect(line(b.lines, 'PARKING_TIME')).toMatchObject({ elementIndex: 4, measured: 0.7, billed: 0.75 });
      expect(b.notes).toEqual([]);
    });

    it('Monday breakdown table, to three decimals', () => {
      // "| Flat | 1 | 2.50 | 2.50 | 15% | 2.875" / "| Charging time | 165 minutes | 1.00 per hour | 2.75 | 20% | 3.30" /
      // "| Parking time | 45 minutes | 5.00 per hour | 3.75 | 10% | 4.125" / "| Total | | | 9.00 | | 10.30"
      const b = priced(
        file,
        '2019-06-03T07:30:00Z',
        [
          { kind: 'charging', minutes: 165, dimensions: [{ type: 'MAX_CURRENT', volume: 16 }] },
          { kind: 'parking', minutes: 42 },
        ],
        { policy: policyWith({ currencyDecimals: 3 }) },
      );
      expect(line(b.lines, 'FLAT')?.cost).toEqual({ excl_vat: 2.5, incl_vat: 2.875 });
      expect(line(b.lines, 'TIME')?.cost).toEqual({ excl_vat: 2.75, incl_vat: 3.3 });
      expect(line(b.lines, 'PARKING_TIME')?.cost).toEqual({ excl_vat: 3.75, incl_vat: 4.125 });
      expect(b.total_cost).toEqual({ excl_vat: 9, incl_vat: 10.3 });
    });

    it('Saturday afternoon, over 32 A, with parking (the spec table is wrong: ocpi/ocpi#579)', () => {
      // "For a charging session on a Saturday afternoon starting at 13:30 which takes 1:54 hours (114 minutes),
      // where the driver uses a minimum of 43A of current … and is parking for additional 71 minutes afterwards,
      // this tariff will result in a total cost of € 12.28 (excl. VAT) or € 13.861 (incl. VAT)."
      // Known erratum (ocpi/ocpi#579): the table prices the charging at 1.20/h, a price that appears nowhere; the
      // tariff's weekend price is 1.25/h. Following the rules: 2.50 + 114/60 × 1.25 + 75/60 × 6.00
      // = 2.50 + 2.375 + 7.50 = 12.375 excl., 2.875 + 2.85 + 8.25 = 13.975 incl.
      const b = priced(file, '2019-06-08T11:30:00Z', [
        { kind: 'charging', minutes: 114, dimensions: [{ type: 'MIN_CURRENT', volume: 43 }] },
        { kind: 'parking', minutes: 71 },
      ]);
      expect(b.total_cost).toEqual({ excl_vat: 12.38, incl_vat: 13.98 });
      // "The cost for parking time is 7.50, reflecting 75 minutes of parking" — this part of the table is right.
      expect(line(b.lines, 'PARKING_TIME')).toMatchObject({ elementIndex: 5, billed: 1.25, cost: { excl_vat: 7.5, incl_vat: 8.25 } });
      expect(line(b.lines, 'TIME')).toMatchObject({ elementIndex: 3, price: 1.25, billed: 1.9 });
    });
  });

  it('tariff_5: free of charge', () => {
    // "To define a "Free of Charge" tariff in OCPI, a Tariff containing one Tariff Element with no restrictions
    // containing one Price Component with type = FLAT and price = 0.00 has to be provided." … "In this example no
    // VAT is given because it is not necessary (as the price is 0.00)."
    const b = priced('tariff_5_free_of_charge.json', '2019-03-04T09:00:00Z', [
      { kind: 'charging', minutes: 60, kwh: 20 },
      { kind: 'parking', minutes: 60 },
    ]);
    expect(b.total_cost).toEqual({ excl_vat: 0, incl_vat: 0 });
    expect(b.notes).toEqual([]);
  });

  it('tariff_15: reservation price', () => {
    // "For a charging session that was started 15 minutes after the reservation time, where the driver charges
    // 20 kWh, this tariff will result in costs of € 6.75 (excl. VAT) or € 7.60 (incl. VAT)." …
    // "| Reservation | 15 minutes | 5.00 per hour | 1.25 | 20% | 1.50"
    const b = priced('tariff_15_reservation_5_euro_per_hour.json', '2019-03-04T09:00:00Z', [
      { kind: 'reservation', minutes: 15 },
      { kind: 'charging', minutes: 60, kwh: 20 },
    ]);
    expect(b.total_cost).toEqual({ excl_vat: 6.75, incl_vat: 7.6 });
    expect(b.total_reservation_cost).toEqual({ excl_vat: 1.25, incl_vat: 1.5 });
    expect(b.total_fixed_cost).toEqual({ excl_vat: 0.5, incl_vat: 0.6 });
    expect(b.total_time).toBe(1); // the charging session, not the reservation before it
  });

  it('tariff_16: reservation price and fee', () => {
    // "For a charging session that was started 13 minutes after the reservation time, where the driver charges
    // 20 kWh, this tariff will result in costs of € 8.75 (excl. VAT) or € 10.00 (incl. VAT). Because the reservation
    // fee is billed per 5 minutes, the driver has to pay for 15 minutes of reservation"
    const b = priced('tariff_16_reservation_2_euro_fee_5_euro_per_hour.json', '2019-03-04T09:00:00Z', [
      { kind: 'reservation', minutes: 13 },
      { kind: 'charging', minutes: 60, kwh: 20 },
    ]);
    expect(b.total_cost).toEqual({ excl_vat: 8.75, incl_vat: 10 });
    // The table's "Flat 2.00" + "Parking time 15 minutes 5.00 per hour 1.25" are the reservation's fee and time.
    expect(b.total_reservation_cost).toEqual({ excl_vat: 3.25, incl_vat: 3.9 });
    expect(b.total_fixed_cost).toEqual({ excl_vat: 0.5, incl_vat: 0.6 });
    expect(line(b.lines, 'TIME')).toMatchObject({ reservation: true, measured: 0.2167, billed: 0.25 });
  });

  describe('tariff_17: reservation price and expire fee', () => {
    const file = 'tariff_17_reservation_with_expire_fee.json';
    it('used reservation', () => {
      // "For a charging session that was started 22 minutes after the reservation time, where the driver charges
      // 20 kWh, this tariff will result in costs of € 6.50 (excl. VAT) or € 7.30 (incl. VAT)."
      const b = priced(file, '2019-03-04T09:00:00Z', [
        { kind: 'reservation', minutes: 22 },
        { kind: 'charging', minutes: 60, kwh: 20 },
      ]);
      expect(b.total_cost).toEqual({ excl_vat: 6.5, incl_vat: 7.3 });
      expect(b.total_reservation_cost).toEqual({ excl_vat: 1, incl_vat: 1.2 });
    });

    it('expired reservation', () => {
      // "If the driver did not start a charging session and the reservation expired after the reserved time of
      // 1 hour, the tariff would have resulted in costs of € 6.00 (excl. VAT) or € 7.20 (incl. VAT). In case a
      // reservation is not used, the driver has to pay the full amount of reserved time as well as an additional
      // expiration fee"
      const b = priced(file, '2019-03-04T09:00:00Z', [{ kind: 'reservation', minutes: 60 }]);
      expect(b.total_cost).toEqual({ excl_vat: 6, incl_vat: 7.2 });
      expect(b.total_reservation_cost).toEqual({ excl_vat: 6, incl_vat: 7.2 });
      expect(b.total_fixed_cost).toEqual({ excl_vat: 0, incl_vat: 0 }); // no session, so no start fee
      expect(b.total_time).toBe(0);
    });
  });

  describe('tariff_18: reservation time and expire time', () => {
    const file = 'tariff_18_reservation_with_expire_time.json';
    it('used reservation', () => {
      // "For a charging session that was started 22 minutes after the reservation time, where the driver charges
      // 20 kWh, this tariff will result in costs of € 7.00 (excl. VAT) or € 7.90 (incl. VAT)."
      const b = priced(file, '2019-03-04T09:00:00Z', [
        { kind: 'reservation', minutes: 22 },
        { kind: 'charging', minutes: 60, kwh: 20 },
      ]);
      expect(b.total_cost).toEqual({ excl_vat: 7, incl_vat: 7.9 });
    });

    it('expired reservation', () => {
      // "If the driver did not start a charging session and the reservation expired after the reserved time of
      // 1.5 hours, the tariff would have resulted in costs of € 9.00 (excl. VAT) or € 10.80 (incl. VAT)."
      const b = priced(file, '2019-03-04T09:00:00Z', [{ kind: 'reservation', minutes: 90 }]);
      expect(b.total_cost).toEqual({ excl_vat: 9, incl_vat: 10.8 });
      expect(line(b.lines, 'TIME')).toMatchObject({ elementIndex: 0, price: 6 });
    });
  });

  it('max_power restriction example', () => {
    // "For a charging session where the EV charges the first kWh with a power of 6 kW, increases the power to 48 kW
    // for the next 40 kWh and reduces it again to 4 kW after that for another 0.5 kWh … this tariff will result in
    // costs of € 20.30 (excl. VAT)." ("1 kWh at 6 kW: € 0.20", "40 kWh at 48 kW: € 20.00", "0.5 kWh at 4 kW: € 0.10")
    const b = price(
      exampleTariff('tariffrestriction_example_max_power.json'),
      cdrOf('2019-03-04T09:00:00Z', [
        { kind: 'charging', minutes: 10, kwh: 1, dimensions: [{ type: 'MAX_POWER', volume: 6 }] },
        { kind: 'charging', minutes: 50, kwh: 40, dimensions: [{ type: 'MAX_POWER', volume: 48 }] },
        { kind: 'charging', minutes: 8, kwh: 0.5, dimensions: [{ type: 'MAX_POWER', volume: 4 }] },
      ]),
    );
    expect(b.total_cost.excl_vat).toBe(20.3);
    expect(b.lines.map((l) => [l.elementIndex, l.billed, l.cost.excl_vat])).toEqual([
      [0, 1.5, 0.3],
      [2, 40, 20],
    ]);
  });

  it('max_duration restriction example', () => {
    // "For a charging session with a duration of 40 minutes where 5 kWh are charged during the first 30 minutes and
    // another 1.2 kWh in the remaining 10 minutes of the session, this tariff will result in costs of € 0.30
    // (excl. VAT)." ("5 kWh for free: € 0.00", "1.2 kWh at 0.25/kWh: € 0.30")
    const b = price(
      exampleTariff('tariffrestriction_example_max_duration.json'),
      cdrOf('2019-03-04T09:00:00Z', [
        { kind: 'charging', minutes: 30, kwh: 5 },
        { kind: 'charging', minutes: 10, kwh: 1.2 },
      ]),
    );
    expect(b.total_cost).toEqual({ excl_vat: 0.3, incl_vat: 0.36 });
  });
});

describe('step_size examples (mod_tariffs PriceComponent, tariff_14)', () => {
  it('TIME step_size 300: 6 minutes are billed as 10', () => {
    // "if type is TIME and step_size has a value of 300, then time will be billed in blocks of 5 minutes. If 6
    // minutes were consumed, 10 minutes (2 blocks of step_size) will be billed."
    const tariff = tariffWith([{ price_components: [{ type: 'TIME', price: 6, vat: 0, step_size: 300 }] }]);
    const b = price(tariff, cdrOf('2019-03-04T09:00:00Z', [{ kind: 'charging', minutes: 6 }]));
    expect(line(b.lines, 'TIME')).toMatchObject({ measured: 0.1, billed: 0.1667 });
    expect(b.total_cost).toEqual({ excl_vat: 1, incl_vat: 1 });
  });

  it('PARKING_TIME step_size 300: 8 minutes are billed as 10', () => {
    // "Thus a step_size = 300 means 300 seconds (5 minutes). This means that when someone parked for 8 minutes they
    // will be billed for 10 minutes."
    const tariff = tariffWith([{ price_components: [{ type: 'PARKING_TIME', price: 6, vat: 0, step_size: 300 }] }]);
    const b = price(tariff, cdrOf('2019-03-04T09:00:00Z', [{ kind: 'parking', minutes: 8 }]));
    expect(b.total_parking_cost.excl_vat).toBe(1);
  });

  it.each([
    // "If someone charges their EV with 115.2 Wh, then they are billed for 116 Wh, resulting in total cost of € 0.029."
    [1, 0.116, 0.029],
    // "When step_size = 25, then the same amount would be billed for 101 to 125 Wh: € 0.031."
    [25, 0.125, 0.031],
    // "When step_size = 500, then the same amount will be billed for 1 to 500 Wh: € 0.125."
    [500, 0.5, 0.125],
  ])('ENERGY step_size %s Wh at € 0.25: 115.2 Wh billed as %s kWh, € %s', (stepSize, billedKwh, cost) => {
    const tariff = tariffWith([{ price_components: [{ type: 'ENERGY', price: 0.25, step_size: stepSize }] }]);
    // The spec states these costs to three decimals, so the policy does too.
    const b = price(tariff, cdrOf('2019-03-04T09:00:00Z', [{ kind: 'energy', minutes: 5, kwh: 0.1152 }]), {
      policy: policyWith({ currencyDecimals: 3, quantityDecimals: 6 }),
    });
    expect(line(b.lines, 'ENERGY')).toMatchObject({ measured: 0.1152, billed: billedKwh });
    expect(b.total_cost.excl_vat).toBe(cost);
  });

  describe('tariff_14: switching Tariff Elements', () => {
    const file = 'tariff_14_step_size.json';

    it('#1: 16:55, 10 minutes charging, 2 minutes parking', () => {
      // "An EV driver plugs in at 16:55 and charges for 10 minutes (TIME). They then stop charging but stay plugged
      // in for 2 more minutes (PARKING_TIME). … The parking time of 2 minutes is rounded to 15 minutes according to
      // the step size of the last parking time period. As a result,t he session costs € 0.55 ex VAT."
      // (5 min at 1.20 = 0.10, 5 min at 2.40 = 0.20, parking 15 min at 1.00 = 0.25)
      // One period covers 16:55–17:05: the engine splits it at 17:00 as the breakdown table does.
      const b = priced(file, '2019-03-04T15:55:00Z', [{ kind: 'charging', minutes: 10 }, { kind: 'parking', minutes: 2 }]);
      expect(b.total_cost).toEqual({ excl_vat: 0.55 }); // no vat in tariff_14, so no incl_vat
      expect(b.lines.map((l) => [l.dimension, l.elementIndex, l.billed])).toEqual([
        ['TIME', 0, 0.0833],
        ['TIME', 1, 0.0833],
        ['PARKING_TIME', 1, 0.25],
      ]);
      expect(b.notes.map((n) => n.code)).toEqual(['VAT_UNKNOWN', 'VAT_UNKNOWN', 'VAT_UNKNOWN']);
    });

    it('#2: 16:35, 35 minutes charging', () => {
      // "As the charging time Price Component of the last Tariff Element being used has a step_size of 15 minutes,
      // the total charging time is rounded up from 35 to 45 minutes. When considering the already billed 25 minutes
      // of charging time before 17:00, we are left with 20 minutes to bill after 17:00. That leads to a session fee
      // of € 1.30."
      const b = priced(file, '2019-03-04T15:35:00Z', [{ kind: 'charging', minutes: 35 }]);
      expect(b.total_cost.excl_vat).toBe(1.3);
      expect(b.lines.map((l) => [l.elementIndex, l.billed, l.cost.excl_vat])).toEqual([
        [0, 0.4167, 0.5],
        [1, 0.3333, 0.8],
      ]);
    });

    it('switching to the Free-of-Charge element (the spec table is wrong: ocpi/ocpi#546)', () => {
      // "An EV driver plugs in at 19:40 and charges for 12 minutes (TIME). They then stop charging but stay plugged
      // in for 20 more minutes (PARKING_TIME). … The total of billable parking time for the session is 8 minutes.
      // This is rounded up to 15 minutes according to the step_size of the last time based Price Component that was
      // active during the session. The extra 7 minutes are then added to the last period with a Price Component
      // with a time-based dimension, that is the one from 19:52 to 20:00."
      // The spec's table says € 0.80, pricing the charging at 1.20/h and the parking at 2.40/h. Known erratum
      // (ocpi/ocpi#546, confirmed by the maintainer): between 17:00 and 20:00 charging is 2.40/h and parking
      // 1.00/h, so 12 min × 2.40/h + 15 min × 1.00/h = 0.48 + 0.25 = € 0.73.
      const b = priced(file, '2019-03-04T18:40:00Z', [{ kind: 'charging', minutes: 12 }, { kind: 'parking', minutes: 20 }]);
      expect(b.total_cost.excl_vat).toBe(0.73);
      expect(line(b.lines, 'PARKING_TIME')).toMatchObject({ elementIndex: 1, measured: 0.1333, billed: 0.25 });
      expect(line(b.lines, 'TIME')).toMatchObject({ elementIndex: 1, billed: 0.2 });
      expect(b.notes.map((n) => n.code)).toContain('NO_PRICE_COMPONENT'); // parking after 20:00 is free
    });
  });
});

describe('step_size rules (mod_cdrs, CDR object)', () => {
  const START = '2019-03-04T15:00:00Z'; // 16:00 in Berlin
  const timeAndParking = (stepSize: number) =>
    tariffWith([
      {
        price_components: [
          { type: 'TIME', price: 1, vat: 0, step_size: stepSize },
          { type: 'PARKING_TIME', price: 2, vat: 0, step_size: stepSize },
        ],
      },
    ]);

  it('is not applied to charging time when parking follows', () => {
    // "Example: step_size for both charging (TIME) and parking is 5 minutes. After 21 minutes of charging, the EV is
    // full but remains connected for 7 more minutes. The cost of charging will be calculated based on 21 minutes
    // (not 25). The cost of parking will be calculated based on 10 minutes (step_size is 5)."
    const b = price(timeAndParking(300), cdrOf(START, [{ kind: 'charging', minutes: 21 }, { kind: 'parking', minutes: 7 }]));
    expect(line(b.lines, 'TIME')?.billed).toBe(0.35);
    expect(line(b.lines, 'PARKING_TIME')?.billed).toBe(0.1667);
    expect(b.total_cost.excl_vat).toBe(0.68); // 0.35 + 0.3333
  });

  it('rounds only the total parking duration when TIME and PARKING_TIME are both used', () => {
    // "Example: Time spent charging costs € 1.00 per hour and time spent parking (not charging) costs € 2.00 per
    // hour. Both Price Components have a step_size of 10 minutes. If a driver charges 21 minutes, and keeps his EV
    // connected while it is full for another 16 minutes, then the step_size rounds the parking duration up to 20
    // minutes, making it a total of 41 minutes."
    const b = price(timeAndParking(600), cdrOf(START, [{ kind: 'charging', minutes: 21 }, { kind: 'parking', minutes: 16 }]));
    expect(line(b.lines, 'TIME')?.billed).toBe(0.35);
    expect(line(b.lines, 'PARKING_TIME')?.billed).toBe(0.3333);
    expect(b.total_cost.excl_vat).toBe(1.02); // 0.35 + 0.6667
  });

  it('rounds the total energy once, with the last component, across a price change', () => {
    // "Example: Energy costs € 0.20 perkWh before 17:00 and € 0.27 per kWh after 17:00. Both Price Components have
    // a step_size of 500 Wh. If a driver charges 4.3 kWh before 17:00 and 1.1 kWh after 17:00, a total of 5.4 kWh is
    // charged. The step_size rounds this up to 5.5 kWh total. It does NOT round the energy used after 17:00 to
    // 1.5 kWh."
    const tariff = tariffWith([
      { price_components: [{ type: 'ENERGY', price: 0.2, vat: 0, step_size: 500 }], restrictions: { end_time: '17:00' } },
      { price_components: [{ type: 'ENERGY', price: 0.27, vat: 0, step_size: 500 }] },
    ]);
    const b = price(tariff, cdrOf(START, [{ kind: 'charging', minutes: 60, kwh: 4.3 }, { kind: 'charging', minutes: 30, kwh: 1.1 }]));
    expect(b.lines.map((l) => [l.elementIndex, l.measured, l.billed])).toEqual([
      [0, 4.3, 4.3],
      [1, 1.1, 1.2],
    ]);
    expect(b.total_cost.excl_vat).toBe(1.18); // 0.86 + 0.324
  });

  it('rounds the total time once, with the last component, across a price change', () => {
    // "Example: Time costs € 5 per hour before 17:00 and € 7 per hour after 17:00. Both Price Components have a
    // step_size of 10 minutes. If a driver charges 6 minutes before 17:00 and 22 minutes after 17:00, this makes a
    // total of 28 minutes charging. The step_size rounds this up to 30 minutes total, so 24 minutes after 17:00 will
    // be billed. It does NOT round the minutes after 17:00 to 30 minutes, which would have made a total of 36
    // minutes."
    const tariff = tariffWith([
      { price_components: [{ type: 'TIME', price: 5, vat: 0, step_size: 600 }], restrictions: { end_time: '17:00' } },
      { price_components: [{ type: 'TIME', price: 7, vat: 0, step_size: 600 }] },
    ]);
    const b = price(tariff, cdrOf('2019-03-04T15:54:00Z', [{ kind: 'charging', minutes: 28 }]));
    expect(b.lines.map((l) => [l.elementIndex, l.billed])).toEqual([
      [0, 0.1],
      [1, 0.4],
    ]);
    expect(b.total_cost.excl_vat).toBe(3.3); // 0.50 + 2.80
  });

  it('is taken into account once per Tariff', () => {
    // "The step_size is not taken into account when switching between two Tariffs" — priceSession prices one Tariff,
    // so the periods of each Tariff are priced, and rounded, on their own.
    const tariff = tariffWith([{ price_components: [{ type: 'TIME', price: 6, vat: 0, step_size: 600 }] }]);
    const first = price(tariff, cdrOf(START, [{ kind: 'charging', minutes: 4 }]));
    const second = price(tariff, cdrOf('2019-03-04T15:04:00Z', [{ kind: 'charging', minutes: 4 }]));
    expect([first.total_cost.excl_vat, second.total_cost.excl_vat]).toEqual([1, 1]);
  });
});

describe('cdr_example.json (mod_cdrs, Example of a CDR)', () => {
  it('reproduces the totals the CDR reports from its own tariff', () => {
    // "total_cost": {"excl_vat": 4.00, "incl_vat": 4.40} — 1.973 h of TIME at 2.00/h, billed per 5 minutes: 2 hours.
    const cdr = readExample('cdr_example.json') as Parameters<typeof price>[1] & { tariffs: unknown[] };
    const b = price(tariffOf(cdr.tariffs[0]), cdr, { timeZone: 'Europe/Brussels' });
    expect(b.total_cost).toEqual({ excl_vat: 4, incl_vat: 4.4 });
    expect(b.total_time_cost).toEqual({ excl_vat: 4, incl_vat: 4.4 });
    expect(b.total_time).toBe(1.9731);
    expect(b.notes).toEqual([]);
  });
});
