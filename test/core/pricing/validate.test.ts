/** validateTariff: the typed Tariff, or every problem with a path a person can follow. */
import { validateTariff } from '../../../src/core/pricing/pricing-core';
import { readExample } from './support';

const base = () => readExample('tariff_4_complex.json') as Record<string, any>;
const errorsOf = (json: unknown) => {
  const result = validateTariff(json);
  return result.ok ? [] : result.errors;
};

describe('validateTariff', () => {
  it('returns the typed tariff', () => {
    const result = validateTariff(base());
    expect(result.ok).toBe(true);
    if (result.ok) expect(result.tariff.elements[2].restrictions?.day_of_week).toContain('MONDAY');
  });

  it('names a misspelt or unknown key where it is', () => {
    // A misspelt "restrictions" would otherwise turn a restricted element into a fallback that always matches.
    const json = base();
    json.elements[1].restriction = json.elements[1].restrictions;
    delete json.elements[1].restrictions;
    json.elements[0].price_components[0].stepSize = 1;
    expect(errorsOf(json)).toEqual([
      { path: 'elements[0].price_components[0].stepSize', message: 'is not a field of this OCPI object (misspelt or unknown)' },
      { path: 'elements[1].restriction', message: 'is not a field of this OCPI object (misspelt or unknown)' },
    ]);
  });

  it('names missing required fields', () => {
    const json = base();
    delete json.currency;
    delete json.elements[0].price_components[0].step_size;
    expect(errorsOf(json)).toEqual([
      { path: 'currency', message: 'is required (string)' },
      { path: 'elements[0].price_components[0].step_size', message: 'is required (number)' },
    ]);
  });

  it('checks formats and ranges from the spec', () => {
    const json = base();
    json.elements[4].restrictions.start_time = '9:00'; // "Must be in 24h format with leading zeros"
    json.elements[4].restrictions.start_date = '2015-13-01';
    json.elements[1].price_components[0].step_size = 1.5; // step_size is an int
    json.elements[1].price_components[0].price = -1;
    json.elements[2].restrictions.day_of_week = ['MONDAY', 'FUNDAY'];
    json.last_updated = '2015-06-29 20:39:09';
    json.currency = 'eur';
    const paths = errorsOf(json).map((e) => e.path);
    expect(paths.sort()).toEqual(
      [
        'currency',
        'elements[1].price_components[0].price',
        'elements[1].price_components[0].step_size',
        'elements[2].restrictions.day_of_week[1]',
        'elements[4].restrictions.start_date',
        'elements[4].restrictions.start_time',
        'last_updated',
      ].sort(),
    );
    expect(errorsOf(json).find((e) => e.path === 'elements[4].restrictions.start_time')?.message).toBe(
      'must be a 24h time with leading zeros, e.g. 09:30',
    );
  });

  it('rejects a reservation element that prices anything but FLAT and TIME', () => {
    // "A reservation can only have: FLAT and TIME TariffDimensions"
    const json = readExample('tariff_15_reservation_5_euro_per_hour.json') as Record<string, any>;
    json.elements[0].price_components.push({ type: 'ENERGY', price: 1, step_size: 1 });
    expect(errorsOf(json)).toEqual([
      { path: 'elements[0].price_components[1].type', message: 'a reservation element can only price FLAT and TIME, not ENERGY' },
    ]);
  });

  it('requires at least one element and one price component', () => {
    expect(errorsOf({ ...base(), elements: [] })).toEqual([{ path: 'elements', message: 'must list at least one tariff element' }]);
    expect(errorsOf({ ...base(), elements: [{ price_components: [] }] })).toEqual([
      { path: 'elements[0].price_components', message: 'must list at least one price component' },
    ]);
  });

  it('accepts null for optional fields: "Fields that are not specified may be considered as null values"', () => {
    const json = base();
    json.type = null;
    json.elements[0].restrictions = null;
    json.elements[0].price_components[0].vat = null;
    json.min_price = null;
    expect(errorsOf(json)).toEqual([]);
  });

  it('describes input that is not an object at all', () => {
    expect(errorsOf('tariff')).toEqual([{ path: '', message: 'Invalid input: expected object, received string' }]);
    expect(errorsOf(null)).toEqual([{ path: '', message: 'Invalid input: expected object, received null' }]);
  });
});
