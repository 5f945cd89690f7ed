import fc from 'fast-check';
import { activeWindows, isWindowActive, localTime, nextBoundary, type Site, type TimeWindow } from '../../../src/core/allocation/allocation-core';
import { siteArb, nowArb } from './arbitraries';

const at = (iso: string, timeZone = 'UTC') => localTime(new Date(iso), timeZone);

describe('time windows', () => {
  it('reads the local wall clock of the site time zone', () => {
    expect(at('2024-01-10T16:30:00Z', 'Europe/Amsterdam')).toEqual({ year: 2024, month: 1, day: 10, weekday: 'wed', minuteOfDay: 17 * 60 + 30, second: 0 });
    expect(at('2024-01-10T23:30:00Z', 'Europe/Amsterdam')).toMatchObject({ day: 11, weekday: 'thu', minuteOfDay: 30 });
    expect(at('2024-07-01T00:00:00Z', 'America/New_York')).toMatchObject({ day: 30, weekday: 'sun', minuteOfDay: 20 * 60 });
  });

  it('treats start as inclusive and end as exclusive', () => {
    const peak: TimeWindow = { start: '17:00', end: '21:00', limit: { amps: 20 } };
    expect(isWindowActive(peak, at('2024-01-10T16:59:00Z'))).toBe(false);
    expect(isWindowActive(peak, at('2024-01-10T17:00:00Z'))).toBe(true);
    expect(isWindowActive(peak, at('2024-01-10T20:59:59Z'))).toBe(true);
    expect(isWindowActive(peak, at('2024-01-10T21:00:00Z'))).toBe(false);
  });

  it('wraps past midnight, counting the part after midnight to the day the window started', () => {
    const night: TimeWindow = { start: '22:00', end: '06:00', days: ['fri'], limit: { amps: 10 } };
    expect(isWindowActive(night, at('2024-01-12T23:00:00Z'))).toBe(true); // Fri 23:00
    expect(isWindowActive(night, at('2024-01-13T05:59:00Z'))).toBe(true); // Sat 05:59
    expect(isWindowActive(night, at('2024-01-13T06:00:00Z'))).toBe(false);
    expect(isWindowActive(night, at('2024-01-13T23:00:00Z'))).toBe(false); // Sat 23:00: not a start day
    expect(isWindowActive(night, at('2024-01-12T03:00:00Z'))).toBe(false); // Fri 03:00 belongs to Thursday
  });

  it('supports weekday sets, full days and windows ending at 24:00', () => {
    const weekdays: TimeWindow = { start: '07:00', end: '24:00', days: ['mon', 'tue', 'wed', 'thu', 'fri'], limit: { amps: 10 } };
    expect(isWindowActive(weekdays, at('2024-01-12T23:59:00Z'))).toBe(true); // Friday
    expect(isWindowActive(weekdays, at('2024-01-13T12:00:00Z'))).toBe(false); // Saturday
    const sunday: TimeWindow = { start: '00:00', end: '00:00', days: ['sun'], limit: { amps: 10 } };
    expect(isWindowActive(sunday, at('2024-01-14T00:00:00Z'))).toBe(true);
    expect(isWindowActive(sunday, at('2024-01-14T23:59:59Z'))).toBe(true);
    expect(isWindowActive(sunday, at('2024-01-15T00:00:00Z'))).toBe(false);
    expect(activeWindows([weekdays, sunday], at('2024-01-14T10:00:00Z'))).toEqual([sunday]);
  });

  describe('nextBoundary', () => {
    const site = (timeZone: string, windows: TimeWindow[]): Site => ({ id: 's', timeZone, limit: { amps: 32 }, timeWindows: windows });

    it('returns the next start or end of any window, strictly after now, or null without windows', () => {
      const s = site('Europe/Amsterdam', [{ start: '17:00', end: '21:00', limit: { amps: 20 } }]);
      expect(nextBoundary(s, new Date('2024-01-10T12:00:00Z'))).toEqual(new Date('2024-01-10T16:00:00Z'));
      expect(nextBoundary(s, new Date('2024-01-10T16:00:00Z'))).toEqual(new Date('2024-01-10T20:00:00Z'));
      expect(nextBoundary(s, new Date('2024-01-10T20:00:00Z'))).toEqual(new Date('2024-01-11T16:00:00Z'));
      expect(nextBoundary({ id: 's', timeZone: 'UTC' }, new Date())).toBeNull();
    });

    it('looks at windows of every node and across weekdays', () => {
      const s: Site = {
        id: 's',
        timeZone: 'UTC',
        children: [{ id: 'f', timeWindows: [{ start: '08:00', end: '09:00', days: ['mon'], limit: { amps: 5 } }] }],
      };
      // Wednesday → next Monday 08:00.
      expect(nextBoundary(s, new Date('2024-01-10T12:00:00Z'))).toEqual(new Date('2024-01-15T08:00:00Z'));
    });

    it('handles daylight saving time: a start in the spring-forward gap happens at the transition', () => {
      const s = site('Europe/Amsterdam', [{ start: '02:30', end: '04:00', limit: { amps: 20 } }]);
      // 2024-03-31: clocks jump from 02:00 CET (01:00Z) to 03:00 CEST.
      expect(nextBoundary(s, new Date('2024-03-31T00:00:00Z'))).toEqual(new Date('2024-03-31T01:00:00Z'));
      expect(nextBoundary(s, new Date('2024-03-31T01:00:00Z'))).toEqual(new Date('2024-03-31T02:00:00Z')); // 04:00 CEST
      // 2024-10-27: 02:30 happens twice; the boundary is the first one (02:30 CEST = 00:30Z).
      expect(nextBoundary(s, new Date('2024-10-27T00:00:00Z'))).toEqual(new Date('2024-10-27T00:30:00Z'));
    });

    it('returns an instant before which the set of active windows does not change (property)', () => {
      fc.assert(
        fc.property(siteArb(), nowArb, (site, now) => {
          const boundary = nextBoundary(site, now);
          const all: TimeWindow[] = [];
          const collect = (node: Site | NonNullable<Site['children']>[number]) => {
            all.push(...(node.timeWindows ?? []));
            node.children?.forEach(collect);
          };
          collect(site);
          if (all.length === 0) {
            expect(boundary).toBeNull();
            return;
          }
          expect(boundary).not.toBeNull();
          const b = boundary!.getTime();
          expect(b).toBeGreaterThan(now.getTime());
          const state = (ms: number) => all.map((w) => isWindowActive(w, localTime(ms, site.timeZone))).join();
          // Nothing changes between now and the boundary (sampled every minute and just before it).
          const before = state(now.getTime());
          for (let t = now.getTime(); t < b; t += Math.max(60_000, Math.floor((b - now.getTime()) / 60))) {
            expect(state(t)).toBe(before);
          }
          expect(state(b - 1000)).toBe(before);
        }),
        { numRuns: 100 },
      );
    });
  });
});
