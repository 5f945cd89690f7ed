import {
  lineOf,
  netCredits,
  parsePeriodLabel,
  settlePeriod,
  statementId,
  statementTotals,
  type CdrForSettlement,
  type Period,
} from '../../../src/core/settlement/settlement-core';

function cdr(id: string, end: string, excl: number, incl: number | undefined, extra: Partial<CdrForSettlement> = {}): CdrForSettlement {
  return {
    id,
    start_date_time: new Date(Date.parse(end) - 3_600_000).toISOString(),
    end_date_time: end,
    session_id: `S-${id}`,
    currency: 'EUR',
    cdr_token: { country_code: 'de', party_id: 'tnm' },
    cdr_location: { id: 'LOC1', evse_uid: '3256', evse_id: 'BE*BEC*E041503003' },
    charging_periods: [{ tariff_id: '12' }],
    total_cost: incl === undefined ? { excl_vat: excl } : { excl_vat: excl, incl_vat: incl },
    total_energy: 15.342,
    total_time: 1.973,
    ...extra,
  };
}

const march = parsePeriodLabel('2024-03', 'monthly') as Period;

describe('statement lines', () => {
  it('takes every field from the CDR, amounts exact', () => {
    expect(lineOf(cdr('A', '2024-03-05T10:00:00Z', 0.1, 0.12, { total_parking_time: 0.25 }))).toEqual({
      cdrId: 'A',
      credit: false,
      creditReferenceId: null,
      sessionId: 'S-A',
      locationId: 'LOC1',
      evseUid: '3256',
      evseId: 'BE*BEC*E041503003',
      startDateTime: '2024-03-05T09:00:00.000Z',
      endDateTime: '2024-03-05T10:00:00.000Z',
      energy: '15.342',
      time: '1.973',
      parkingTime: '0.25',
      tariffId: '12',
      net: '0.1',
      vat: '0.02', // not 0.019999999999999997: no binary floats
      gross: '0.12',
    });
  });

  it('leaves VAT and gross empty when the CDR does not state incl_vat (absent VAT is not 0 %)', () => {
    const line = lineOf(cdr('B', '2024-03-05T10:00:00Z', 4, undefined));
    expect([line.net, line.vat, line.gross]).toEqual(['4', null, null]);
  });

  it('names the tariff of the first period, else the first carried tariff', () => {
    expect(lineOf(cdr('C', '2024-03-05T10:00:00Z', 1, 1, { charging_periods: [{}], tariffs: [{ id: 'T9' }] })).tariffId).toBe('T9');
    expect(lineOf(cdr('C', '2024-03-05T10:00:00Z', 1, 1, { charging_periods: [{}] })).tariffId).toBeNull();
  });

  it('makes every amount and quantity of a credit line negative, whatever sign the CPO wrote', () => {
    const asSpec = lineOf(cdr('A-C', '2024-03-05T10:00:00Z', -4, -4.4, { credit: true, credit_reference_id: 'A' }));
    const slipped = lineOf(cdr('A-C', '2024-03-05T10:00:00Z', 4, 4.4, { credit: true, credit_reference_id: 'A' }));
    for (const line of [asSpec, slipped]) {
      expect(line).toMatchObject({ credit: true, creditReferenceId: 'A', net: '-4', vat: '-0.4', gross: '-4.4', energy: '-15.342', time: '-1.973', parkingTime: '0' });
    }
  });
});

describe('netting and totals', () => {
  const original = lineOf(cdr('A', '2024-03-05T10:00:00Z', 4, 4.4));
  const credit = lineOf(cdr('A-C', '2024-03-05T10:00:00Z', -4, -4.4, { credit: true, credit_reference_id: 'A' }));
  const second = lineOf(cdr('A-C2', '2024-03-06T10:00:00Z', -4, -4.4, { credit: true, credit_reference_id: 'A' }));
  const other = lineOf(cdr('B', '2024-03-07T10:00:00Z', 2.5, 3.025));

  it('pairs a credit with its original on the same statement; the first credit names the pair', () => {
    const netted = netCredits([original, other, second, credit]);
    expect(netted.map((l) => [l.cdrId, l.netsAgainst])).toEqual([
      ['A', 'A-C'],
      ['B', null],
      ['A-C2', 'A'],
      ['A-C', 'A'],
    ]);
    // A credit whose original is elsewhere (settled on an earlier statement) stands alone.
    expect(netCredits([credit])[0].netsAgainst).toBeNull();
  });

  it('sums exactly: an original and its credit cancel to zero', () => {
    expect(statementTotals([original, credit, other])).toEqual({
      lineCount: 3,
      creditLineCount: 1,
      energy: '15.342',
      time: '1.973',
      parkingTime: '0',
      net: '2.5',
      vat: '0.525',
      gross: '3.025',
      linesWithoutVat: 0,
    });
    const tenths = Array.from({ length: 10 }, (_, i) => lineOf(cdr(`T${i}`, '2024-03-05T10:00:00Z', 0.1, 0.1)));
    expect(statementTotals(tenths).net).toBe('1'); // 0.1 × 10 in floats is 0.9999999999999999
    const withoutVat = statementTotals([original, lineOf(cdr('N', '2024-03-05T10:00:00Z', 1, undefined))]);
    expect(withoutVat).toMatchObject({ net: '5', vat: '0.4', gross: '4.4', linesWithoutVat: 1 });
  });

});

describe('settlePeriod: which CDRs go on which statement', () => {
  const cpo = 'BE/BEC';
  const stored = (c: CdrForSettlement, owner = cpo) => ({ cpo: owner, cdr: c });
  const cdrs = [
    stored(cdr('M1', '2024-03-02T10:00:00Z', 4, 4.4)),
    stored(cdr('M2', '2024-03-31T23:59:59Z', 1, 1.1)),
    stored(cdr('APR', '2024-04-01T00:00:00Z', 9, 9.9)), // next period
    stored(cdr('FEB-LATE', '2024-02-20T10:00:00Z', 2, 2.2)), // February is closed: late
    stored(cdr('FEB-SETTLED', '2024-02-10T10:00:00Z', 3, 3.3)), // on February's closed statement
    stored(cdr('JAN', '2024-01-20T10:00:00Z', 5, 5.5)), // January is not closed: stays there
    stored(cdr('FEB-SETTLED-C', '2024-02-10T10:00:00Z', -3, -3.3, { credit: true, credit_reference_id: 'FEB-SETTLED' })),
    stored(cdr('USD1', '2024-03-03T10:00:00Z', 7, 7, { currency: 'USD' })),
    stored(cdr('OTHER-EMSP', '2024-03-03T10:00:00Z', 8, 8, { cdr_token: { country_code: 'NL', party_id: 'EM1' } })),
  ];
  const eur = { cpo, emsp: 'DE/TNM', currency: 'EUR' };
  const closed = new Map([['BE/BEC|DE/TNM|EUR', new Set(['2024-02-01'])]]);
  const settled = new Set(['BE/BEC/FEB-SETTLED']);

  it('groups by CPO, eMSP and currency; takes in late CDRs; leaves settled ones and other periods out', () => {
    const statements = settlePeriod(march, cdrs, closed, settled);
    expect(statements.map((s) => s.key)).toEqual([eur, { ...eur, currency: 'USD' }, { cpo, emsp: 'NL/EM1', currency: 'EUR' }]);
    expect(statements[0].lines.map((l) => [l.cdrId, l.netsAgainst])).toEqual([
      ['FEB-SETTLED-C', null], // its original was settled in February: the credit alone takes it back
      ['FEB-LATE', null],
      ['M1', null],
      ['M2', null],
    ]);
    expect(statements[0].totals).toMatchObject({ lineCount: 4, net: '4', gross: '4.4' });
  });

  it('gives a closed statement nothing more, and ids are derived from what a statement is', () => {
    const marchClosed = new Map([['BE/BEC|DE/TNM|EUR', new Set(['2024-02-01', '2024-03-01'])]]);
    expect(settlePeriod(march, cdrs, marchClosed, settled).map((s) => s.key.currency + s.key.emsp)).toEqual(['USDDE/TNM', 'EURNL/EM1']);
    const april = parsePeriodLabel('2024-04', 'monthly') as Period;
    expect(settlePeriod(april, cdrs, marchClosed, settled)[0].lines.map((l) => l.cdrId)).toEqual(['FEB-SETTLED-C', 'FEB-LATE', 'M1', 'M2', 'APR']);
    expect(statementId(march, eur)).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(statementId(march, eur)).toBe(statementId({ kind: 'monthly', start: '2024-03-01' }, { ...eur }));
    expect(statementId(march, eur)).not.toBe(statementId(march, { ...eur, currency: 'USD' }));
  });
});
