import { readFileSync } from 'node:fs';
import path from 'node:path';
import { previewTariffPrice } from '../../../src/core/pricing/tariff-price-preview';

const example = (name: string) => JSON.parse(readFileSync(path.join(__dirname, '../../fixtures/ocpi-2.2.1-examples', name), 'utf8'));

describe('the price preview of a tariff', () => {
  it('prices an imagined session with the engine: 2.00 EUR per hour, billed per minute (tariff example 1)', () => {
    const preview = previewTariffPrice(example('tariff_1_simple_2hour.json'), { start: new Date('2025-03-03T10:00:00Z'), chargingMinutes: 90, kwh: 15, parkingMinutes: 0 }, 'Europe/Berlin');
    expect(preview.ok).toBe(true);
    if (!preview.ok) return;
    expect(preview.currency).toBe('EUR');
    expect(preview.computed.total_time).toBeCloseTo(1.5);
    expect(preview.computed.total_cost.excl_vat).toBeCloseTo(3);
    expect(preview.computed.total_cost.incl_vat).toBeCloseTo(3.3);
    expect(preview.end).toBe('2025-03-03T11:30:00.000Z');
  });

  it('charges parking after charging when the tariff has a parking price (tariff example 13)', () => {
    const tariff = example('tariff_13_simple_3hour_5parking.json');
    const charged = previewTariffPrice(tariff, { start: new Date('2025-03-03T10:00:00Z'), chargingMinutes: 60, kwh: 10, parkingMinutes: 60 }, 'Europe/Berlin');
    const unparked = previewTariffPrice(tariff, { start: new Date('2025-03-03T10:00:00Z'), chargingMinutes: 60, kwh: 10, parkingMinutes: 0 }, 'Europe/Berlin');
    expect(charged.ok && unparked.ok).toBe(true);
    if (!charged.ok || !unparked.ok) return;
    expect(charged.computed.total_parking_time).toBeCloseTo(1);
    expect(charged.computed.total_parking_cost.excl_vat).toBeGreaterThan(0);
    expect(unparked.computed.total_parking_cost.excl_vat).toBe(0);
  });

  it('says why a broken tariff cannot be priced', () => {
    const preview = previewTariffPrice({ id: 'X', currency: 'EUR' }, { start: new Date(), chargingMinutes: 10, kwh: 1, parkingMinutes: 0 }, 'UTC');
    expect(preview.ok).toBe(false);
    if (!preview.ok) expect(preview.errors.join(' ')).toMatch(/elements/);
  });
});
