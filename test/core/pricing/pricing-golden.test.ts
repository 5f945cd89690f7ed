/**
 * Golden equivalence: every generated case (golden-cases.ts) priced now gives, field for field and bit
 * for bit, the breakdown recorded in test/fixtures/pricing-golden.jsonl.gz with the engine as it was
 * before the hot path was made faster (issue 19). A change that is meant to change prices re-records it:
 * `PRICING_GOLDEN_RECORD=1 npx jest test/core/pricing/pricing-golden.test.ts`, and says why in its commit.
 */
import { gunzipSync, gzipSync } from 'node:zlib';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { priceSession, toPricingInput } from '../../../src/core/pricing/pricing-core';
import { goldenCases, goldenText, type GoldenCase } from './golden-cases';

const FIXTURE = path.join(__dirname, '../../fixtures/pricing-golden.jsonl.gz');

function outputOf(c: GoldenCase): string {
  try {
    return goldenText(priceSession(toPricingInput(c.tariff, c.cdr, c.timeZone, c.options), c.policy));
  } catch (error) {
    return goldenText({ $throws: error instanceof Error ? `${error.name}: ${error.message}` : String(error) });
  }
}

const cases = goldenCases();

if (process.env.PRICING_GOLDEN_RECORD === '1') {
  test('records the golden outputs', () => {
    writeFileSync(FIXTURE, gzipSync(`${cases.map(outputOf).join('\n')}\n`, { level: 9 }));
    expect(existsSync(FIXTURE)).toBe(true);
  });
} else {
  describe('pricing golden equivalence', () => {
    const recorded = gunzipSync(readFileSync(FIXTURE)).toString('utf8').trimEnd().split('\n');

    test('the fixture has one output per generated case', () => {
      expect(recorded).toHaveLength(cases.length);
      expect(cases.length).toBeGreaterThan(3000);
    });

    test('the cases reach what the fixture is for', () => {
      // Guards against a generator that silently stopped producing the inputs the hot path must keep
      // pricing the same: notes of each kind, price limits, missing VAT, splits, reservations, errors.
      const all = recorded.join('\n');
      for (const needle of ['PERIOD_SPLIT_INTERPOLATED', 'PRICE_LIMIT_APPLIED', 'VAT_UNKNOWN', 'NO_PRICE_COMPONENT', 'MEASUREMENT_STRADDLES_THRESHOLD', 'INVALID_TIME_ZONE', 'PERIODS_OUT_OF_ORDER', 'DUPLICATE_DIMENSION', '"reservation":true', '"limitApplied":"MAX_PRICE"', '"limitApplied":"MIN_PRICE"', '"incl_vat"']) {
        expect(all).toContain(needle);
      }
    });

    test('every case prices exactly as recorded', () => {
      const differing: { index: number; timeZone: string; recorded: unknown; now: unknown }[] = [];
      cases.forEach((c, index) => {
        const now = outputOf(c);
        if (now !== recorded[index] && differing.length < 5) {
          differing.push({ index, timeZone: c.timeZone, recorded: JSON.parse(recorded[index]), now: JSON.parse(now) });
        }
      });
      // The first differing cases, whole, so a failure shows which field moved.
      expect(differing).toEqual([]);
    });
  });
}
