import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runCli } from '../../src/cli/ocpi-hub-cli';
import { runPrice } from '../../src/cli/price-command';
import { OCPI_2_2_1_EXAMPLES } from '../support/spec-examples';

const EXAMPLES = OCPI_2_2_1_EXAMPLES;
const dir = mkdtempSync(path.join(tmpdir(), 'ocpi-hub-price-'));

function price(...argv: string[]) {
  let out = '';
  let err = '';
  const code = runPrice(argv, { out: (t) => (out += t), err: (t) => (err += t) });
  return { code, err, json: () => JSON.parse(out) };
}

function file(name: string, content: unknown): string {
  const target = path.join(dir, name);
  writeFileSync(target, typeof content === 'string' ? content : JSON.stringify(content));
  return target;
}

describe('ocpi-hub price', () => {
  const cdrPath = path.join(EXAMPLES, 'cdr_example.json');
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const cdr = require(cdrPath) as Record<string, any>;

  it("rates the spec's CDR example with its own tariff and finds it right (4.00 / 4.40)", () => {
    const result = price('--cdr', cdrPath, '--time-zone', 'Europe/Amsterdam');
    expect(result.code).toBe(0);
    const out = result.json();
    expect(out).toMatchObject({ tariff_id: '12', currency: 'EUR', differences: [] });
    expect(out.computed.total_cost).toEqual({ excl_vat: 4, incl_vat: 4.4 });
    // Its periods give only TIME, so its total_energy (15.342) cannot be checked, and the note says so.
    expect(out.notes).toEqual([expect.objectContaining({ code: 'ENERGY_NOT_CHECKED' })]);
  });

  it('names each total a CPO got wrong, and exits 1', () => {
    const wrong = file('wrong.json', { ...cdr, total_cost: { excl_vat: 4.5, incl_vat: 4.95 }, total_time: 2 });
    const tariff = file('tariff.json', { data: cdr.tariffs[0], status_code: 1000, timestamp: '2020-01-01T00:00:00Z' });
    const result = price('--tariff', tariff, '--cdr', wrong, '--time-zone', 'Europe/Amsterdam');
    expect(result.code).toBe(1);
    expect(result.json().differences).toEqual([
      { field: 'total_cost.excl_vat', computed: 4, reported: 4.5, difference: -0.5 },
      { field: 'total_cost.incl_vat', computed: 4.4, reported: 4.95, difference: -0.55 },
      { field: 'total_time', computed: 1.9731, reported: 2, difference: -0.0269 },
    ]);
    expect(price('--tariff', tariff, '--cdr', wrong, '--tolerance', '2').code).toBe(0);
  });

  it('runs as `ocpi-hub price` from the CLI entry point', async () => {
    let out = '';
    const code = await runCli(['price', '--cdr', cdrPath, '--time-zone', 'Europe/Amsterdam'], { out: (t) => (out += t), err: () => undefined, env: {} });
    expect(code).toBe(0);
    expect(JSON.parse(out).differences).toEqual([]);
  });

  it.each([
    [['--tariff', 'x.json'], /Missing --cdr/],
    [['--cdr', '/nonexistent.json'], /Cannot read the CDR file/],
    [['--cdr', file('bad.json', '{oops')], /not JSON/],
    [['--cdr', file('nocdr.json', { id: 'x' })], /cannot be rated: start_date_time/],
    [['--cdr', cdrPath, '--time-zone', 'Mars/Olympus'], /not an IANA time zone/],
    [['--cdr', cdrPath, '--tolerance=-1'], /non-negative/],
    [['--cdr', cdrPath, '--tariff', file('badtariff.json', { ...cdr.tariffs[0], elemnts: [] })], /Invalid tariff: .*elemnts/],
    [['--cdr', file('notariff.json', { ...cdr, tariffs: undefined })], /carries no tariffs/],
    [['--bogus'], /Unknown option/],
  ])('refuses bad input %j with exit 2', (argv, message) => {
    const result = price(...(argv as string[]));
    expect(result.code).toBe(2);
    expect(result.err).toMatch(message);
  });

  describe('real-world data: priced, with what is wrong as notes; --strict refuses as before', () => {
    const codes = (out: { notes: { code: string }[] }) => out.notes.map((n) => n.code);
    // The example's instants written with the Brussels offset (+02:00 in June).
    const offsetCdr = {
      ...cdr,
      start_date_time: '2015-06-29T23:39:09+02:00',
      end_date_time: '2015-06-30T01:37:32+02:00',
      charging_periods: [{ ...cdr.charging_periods[0], start_date_time: '2015-06-29T23:39:09+02:00' }],
    };

    it('reads date-times with UTC offsets as the instants they denote, with a conformance note', () => {
      const result = price('--cdr', file('offset.json', offsetCdr), '--time-zone', 'Europe/Brussels');
      expect(result.code).toBe(0);
      const out = result.json();
      expect(out.computed).toMatchObject({ total_cost: { excl_vat: 4, incl_vat: 4.4 }, total_time: 1.9731 });
      const note = out.notes.find((n: { code: string }) => n.code === 'DATETIME_WITH_OFFSET');
      expect(note.message).toMatch(/3 date-time\(s\) with a UTC offset \(start_date_time 2015-06-29T23:39:09\+02:00/);
      const strict = price('--cdr', file('offset.json', offsetCdr), '--time-zone', 'Europe/Brussels', '--strict');
      expect(strict.code).toBe(2);
      expect(strict.err).toMatch(/cannot be rated: charging_periods.0.start_date_time: must be an OCPI DateTime in UTC/);
    });

    it('prices a tariff without fields pricing does not need, with a note', () => {
      const { country_code: _c, party_id: _p, last_updated: _l, ...bare } = cdr.tariffs[0];
      const tariff = file('bare-tariff.json', bare);
      const result = price('--cdr', cdrPath, '--tariff', tariff, '--time-zone', 'Europe/Brussels');
      expect(result.code).toBe(0);
      expect(result.json().computed.total_cost).toEqual({ excl_vat: 4, incl_vat: 4.4 });
      expect(result.json().notes.find((n: { code: string }) => n.code === 'TARIFF_FIELD_IGNORED').message).toMatch(/country_code is required.*party_id is required.*last_updated is required/);
      const strict = price('--cdr', cdrPath, '--tariff', tariff, '--strict');
      expect(strict.code).toBe(2);
      expect(strict.err).toMatch(/Invalid tariff: country_code: is required/);
      // A field pricing needs is still refused.
      const noCurrency = price('--cdr', cdrPath, '--tariff', file('no-currency.json', { ...bare, currency: undefined }));
      expect(noCurrency.code).toBe(2);
      expect(noCurrency.err).toMatch(/Invalid tariff: .*currency: is required/);
    });

    // Cheaper from midnight to 06:00 local time: the example session (21:39–23:37 UTC) is 23:39–01:37 in Brussels.
    const nightTariff = {
      ...cdr.tariffs[0],
      elements: [
        { price_components: [{ type: 'TIME', price: 1.0, vat: 10.0, step_size: 300 }], restrictions: { start_time: '00:00', end_time: '06:00' } },
        ...cdr.tariffs[0].elements,
      ],
    };

    it('infers the time zone from a single-zone cdr_location.country, states it, and says the price depends on it', () => {
      const result = price('--cdr', cdrPath, '--tariff', file('night.json', nightTariff));
      const out = result.json();
      expect(out).toMatchObject({ time_zone: 'Europe/Brussels', time_zone_source: 'country' });
      expect(codes(out)).toEqual(expect.arrayContaining(['TIME_ZONE_FROM_COUNTRY', 'TIME_ZONE_DEPENDENT']));
      const inUtc = price('--cdr', cdrPath, '--tariff', file('night.json', nightTariff), '--time-zone', 'UTC').json();
      expect(inUtc).toMatchObject({ time_zone: 'UTC', time_zone_source: 'given' });
      expect(codes(inUtc)).not.toContain('TIME_ZONE_DEPENDENT');
      // 21 min at 2.00/h and 1 h 40 min (step_size 5 min) at 1.00/h in Brussels; all at 2.00/h in UTC.
      expect(inUtc.computed.total_cost.excl_vat).toBe(4);
      expect(out.computed.total_cost.excl_vat).toBeLessThan(inUtc.computed.total_cost.excl_vat);
      // The example tariff has no time restriction: its price does not depend on the zone, so no such note.
      expect(codes(price('--cdr', cdrPath).json())).toEqual(['TIME_ZONE_FROM_COUNTRY', 'ENERGY_NOT_CHECKED']);
    });

    it('falls back to UTC, saying so, for a country with several zones', () => {
      const usa = file('usa.json', { ...cdr, cdr_location: { ...cdr.cdr_location, country: 'USA' } });
      const out = price('--cdr', usa, '--tariff', file('night.json', nightTariff)).json();
      expect(out).toMatchObject({ time_zone: 'UTC', time_zone_source: 'default' });
      expect(codes(out)).toEqual(expect.arrayContaining(['TIME_ZONE_UNKNOWN', 'TIME_ZONE_DEPENDENT']));
      // --strict keeps the old default: UTC without inference.
      expect(price('--cdr', cdrPath, '--strict').json()).toMatchObject({ time_zone: 'UTC', time_zone_source: 'default' });
    });

    it('reports incl_vat equal to excl_vat for a component without vat (policy NONE_APPLIES), keeping the note; --strict reports none', () => {
      const noVat = { ...cdr.tariffs[0], elements: [{ price_components: [{ type: 'TIME', price: 2.0, step_size: 300 }] }] };
      const cdrNoVat = file('cdr-novat.json', { ...cdr, total_cost: { excl_vat: 4, incl_vat: 4 }, total_time_cost: { excl_vat: 4, incl_vat: 4 } });
      const result = price('--cdr', cdrNoVat, '--tariff', file('novat.json', noVat), '--time-zone', 'Europe/Brussels');
      expect(result.code).toBe(0);
      const out = result.json();
      expect(out.computed.total_cost).toEqual({ excl_vat: 4, incl_vat: 4 });
      expect(out.notes.find((n: { code: string }) => n.code === 'VAT_UNKNOWN').message).toMatch(/incl_vat is reported equal to excl_vat/);
      const strict = price('--cdr', cdrNoVat, '--tariff', file('novat.json', noVat), '--time-zone', 'Europe/Brussels', '--strict');
      expect(strict.json().computed.total_cost).toEqual({ excl_vat: 4 });
      expect(codes(strict.json())).toContain('VAT_UNKNOWN');
    });
  });
});
