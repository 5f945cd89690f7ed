import { appendChargingPeriods, applySessionPatch } from '../../../../src/hub/modules/sessions/sessions.merge';
import type { Session } from '../../../../src/hub/modules/sessions/sessions.schema';
import { example } from '../../../support/network';

const period = (start: string, kwh: number) => ({ start_date_time: start, dimensions: [{ type: 'ENERGY' as const, volume: kwh }] });

describe('appendChargingPeriods', () => {
  it('adds the new periods after the existing ones', () => {
    expect(appendChargingPeriods([period('2020-01-01T10:00:00Z', 1)], [period('2020-01-01T10:05:00Z', 2)])).toEqual([
      period('2020-01-01T10:00:00Z', 1),
      period('2020-01-01T10:05:00Z', 2),
    ]);
    expect(appendChargingPeriods(undefined, [period('2020-01-01T10:05:00Z', 2)])).toEqual([period('2020-01-01T10:05:00Z', 2)]);
  });

  it('changes nothing for an omitted or empty list', () => {
    const existing = [period('2020-01-01T10:00:00Z', 1)];
    expect(appendChargingPeriods(existing, undefined)).toBe(existing);
    expect(appendChargingPeriods(existing, [])).toBe(existing);
    expect(appendChargingPeriods(undefined, [])).toBeUndefined();
  });

  it('does not add a period equal to one already there (a retried PATCH), whatever its key order', () => {
    const existing = [period('2020-01-01T10:00:00Z', 1)];
    const sameReordered = { dimensions: [{ volume: 1, type: 'ENERGY' as const }], start_date_time: '2020-01-01T10:00:00Z' };
    expect(appendChargingPeriods(existing, [sameReordered, period('2020-01-01T10:05:00Z', 2)])).toEqual([
      period('2020-01-01T10:00:00Z', 1),
      period('2020-01-01T10:05:00Z', 2),
    ]);
  });
});

describe('applySessionPatch', () => {
  const session = example<Session>('session_example_2_short_finished.json');

  it('applies the spec example that adds a charging period: fields replaced, the period appended', () => {
    const patch = example<Partial<Session>>('session_patch_example_charging_period.json');
    const next = applySessionPatch(session, patch);
    expect(next.charging_periods).toEqual([...session.charging_periods!, ...patch.charging_periods!]);
    expect(next.kwh).toBe(15);
    expect(next.total_cost).toEqual(patch.total_cost);
    expect(next.last_updated).toBe(patch.last_updated);
    expect(next.cdr_token).toEqual(session.cdr_token);
  });

  it('applies the spec example that updates the total cost, keeping the charging periods', () => {
    const patch = example<Partial<Session>>('session_patch_example_total_cost.json');
    const next = applySessionPatch(session, patch);
    expect(next).toEqual({ ...session, total_cost: patch.total_cost, last_updated: patch.last_updated });
  });

  it('does not change the session it was given', () => {
    const copy = structuredClone(session);
    applySessionPatch(session, example<Partial<Session>>('session_patch_example_charging_period.json'));
    expect(session).toEqual(copy);
  });
});
