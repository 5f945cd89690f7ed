import { profileLimitAmps, profileNextChange } from '../../../src/core/allocation/allocation-core';

describe('an OCPI ChargingProfile read as a session maximum', () => {
  const setAt = new Date('2026-03-01T10:00:00Z');
  const at = (seconds: number) => new Date(setAt.getTime() + seconds * 1000);
  const profile = {
    charging_rate_unit: 'A' as const,
    duration: 3600,
    charging_profile_period: [
      { start_period: 0, limit: 16 },
      { start_period: 1800, limit: 8 },
    ],
  };

  it('takes the period in force, counted from when it was set when it has no start_date_time', () => {
    expect(profileLimitAmps(profile, setAt, at(0), 3, 230)).toBe(16);
    expect(profileLimitAmps(profile, setAt, at(1799), 3, 230)).toBe(16);
    expect(profileLimitAmps(profile, setAt, at(1800), 3, 230)).toBe(8);
    expect(profileLimitAmps(profile, setAt, at(3600), 3, 230)).toBeUndefined(); // its duration is over
    expect(profileLimitAmps({ ...profile, start_date_time: '2026-03-01T11:00:00Z' }, setAt, at(60), 3, 230)).toBeUndefined(); // not started
  });

  it('converts watts with the session phases and voltage', () => {
    const watts = { charging_rate_unit: 'W' as const, charging_profile_period: [{ start_period: 0, limit: 11040 }] };
    expect(profileLimitAmps(watts, setAt, at(10), 3, 230)).toBe(16);
    expect(profileLimitAmps(watts, setAt, at(10), 1, 230)).toBe(48);
  });

  it('says when the limit changes next, so the site is reallocated then', () => {
    expect(profileNextChange(profile, setAt, at(0))).toEqual(at(1800));
    expect(profileNextChange(profile, setAt, at(1800))).toEqual(at(3600));
    expect(profileNextChange(profile, setAt, at(3600))).toBeNull();
  });
});
