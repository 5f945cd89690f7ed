import { readFileSync } from 'node:fs';
import path from 'node:path';
import { rateCdr } from '../../../src/core/pricing/pricing-core';
import { OCPI_2_2_1_EXAMPLES } from '../../support/spec-examples';

const cdr = JSON.parse(readFileSync(path.join(OCPI_2_2_1_EXAMPLES, 'cdr_example.json'), 'utf8'));

describe('rateCdr', () => {
  it('rates the spec CDR against its tariff: no differences, total_energy noted as unchecked', () => {
    const rating = rateCdr(cdr.tariffs[0], cdr, 'Europe/Amsterdam', 0.005);
    expect(rating).toMatchObject({ ok: true, tariffId: '12', currency: 'EUR', differences: [] });
    expect(rating.ok && rating.notes.map((n) => n.code)).toEqual(['ENERGY_NOT_CHECKED']);
  });

  it('flags a CDR in another currency than its tariff', () => {
    const rating = rateCdr(cdr.tariffs[0], { ...cdr, currency: 'CHF' }, 'Europe/Amsterdam', 0.005);
    expect(rating.ok && rating.differences).toEqual([{ field: 'currency', computed: null, reported: null, difference: null }]);
    expect(rating.ok && rating.notes.map((n) => n.code)).toContain('CURRENCY_DIFFERS');
  });

  it('returns the validation errors of an invalid tariff instead of a rating', () => {
    const rating = rateCdr({ ...cdr.tariffs[0], currency: 'EURO' }, cdr, 'UTC', 0.005);
    expect(rating.ok).toBe(false);
    expect(!rating.ok && rating.errors.map((e) => e.path)).toContain('currency');
  });
});
