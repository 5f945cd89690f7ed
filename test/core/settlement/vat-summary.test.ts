// VAT per rate of a statement's lines (core/settlement/vat-summary.ts).
import { vatSummary } from '../../../src/core/settlement/vat-summary';

describe('vatSummary', () => {
  it('groups lines by the rate their amounts state, credits netted in their rate, absent VAT apart', () => {
    const groups = vatSummary(
      [
        { net: '10.00', vat: '1.90', gross: '11.90' },
        { net: '5.125', vat: '0.97', gross: '6.10' }, // 18.9 %: the rounding of a 19 % line shows
        { net: '20', vat: '3.80', gross: '23.80' },
        { net: '-10.00', vat: '-1.90', gross: '-11.90' },
        { net: '4.00', vat: '0.40', gross: '4.40' },
        { net: '3.00', vat: null, gross: null },
        { net: '0', vat: '0', gross: '0' },
      ],
      'EUR',
    );
    expect(groups).toEqual([
      { rate_percent: '0.0', lines: 1, net: '0.00', vat: '0.00', gross: '0.00' },
      { rate_percent: '10.0', lines: 1, net: '4.00', vat: '0.40', gross: '4.40' },
      { rate_percent: '18.9', lines: 1, net: '5.13', vat: '0.97', gross: '6.10' },
      { rate_percent: '19.0', lines: 3, net: '20.00', vat: '3.80', gross: '23.80' },
      { rate_percent: null, lines: 1, net: '3.00', vat: null, gross: null },
    ]);
  });

  it('writes sums with the currency’s minor unit', () => {
    expect(vatSummary([{ net: '1500', vat: '150', gross: '1650' }], 'JPY')).toEqual([{ rate_percent: '10.0', lines: 1, net: '1500', vat: '150', gross: '1650' }]);
    expect(vatSummary([], 'EUR')).toEqual([]);
  });
});
