import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runCli } from '../../src/cli/main';
import { runPrice } from '../../src/cli/price';
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
});
