import fc from 'fast-check';
import {
  applyLocalListMessage,
  DEFAULT_ITEMS_PER_MESSAGE,
  type ListedToken,
  type LocalListEntry,
  localListDiff,
  localListUpdate,
  wantedLocalList,
} from '../../../src/core/charging/local-list';

const NOW = new Date('2026-03-10T12:00:00.123Z');
const token = (uid: string, valid = true, whitelist = 'ALLOWED', type = 'RFID'): ListedToken => ({ uid, valid, whitelist, type });
const accepted = (id: string): LocalListEntry => ({ id, status: 'Accepted' });

describe('the wanted local list', () => {
  it('lists whitelisted RFID tokens: valid ones Accepted, ones the eMSP marked not valid Blocked; the others not at all', () => {
    const tokens = [
      token('C'), token('A', true, 'ALWAYS'), token('B', false), token('D', true, 'ALLOWED_OFFLINE'), token('E', true, 'NEVER'),
      token('F', true, 'ALWAYS', 'APP_USER'), token('G', false, 'NEVER'),
    ];
    expect(wantedLocalList(tokens, { maxIdLength: 36, now: NOW })).toEqual({
      entries: [accepted('A'), { id: 'B', status: 'Blocked' }, accepted('C')],
      leftOut: { idTooLong: 0, overCapacity: 0 },
    });
  });

  it('lets the valid token win when two eMSPs use one uid, whatever the order', () => {
    expect(wantedLocalList([token('X', false), token('X')], { maxIdLength: 36, now: NOW }).entries).toEqual([accepted('X')]);
    expect(wantedLocalList([token('X'), token('X', false)], { maxIdLength: 36, now: NOW }).entries).toEqual([accepted('X')]);
  });

  it('leaves out uids longer than the version takes (1.6: 20) and, over capacity, Blocked entries before Accepted ones', () => {
    const long = 'U'.repeat(21);
    expect(wantedLocalList([token(long), token('A')], { maxIdLength: 20, now: NOW })).toEqual({ entries: [accepted('A')], leftOut: { idTooLong: 1, overCapacity: 0 } });
    expect(wantedLocalList([token(long)], { maxIdLength: 36, now: NOW }).entries).toEqual([accepted(long)]);
    const over = wantedLocalList([token('A', false), token('B'), token('C'), token('D')], { maxIdLength: 20, capacity: 2, now: NOW });
    expect(over).toEqual({ entries: [accepted('B'), accepted('C')], leftOut: { idTooLong: 0, overCapacity: 2 } });
  });

  it('gives Accepted entries an expiry between half and one TTL ahead that changes only every half TTL', () => {
    const day = 24 * 3_600_000;
    const at = (iso: string) => wantedLocalList([token('A'), token('B', false)], { maxIdLength: 20, now: new Date(iso), entryTtlMs: 2 * day }).entries;
    const first = at('2026-03-10T00:00:00Z');
    expect(first).toEqual([{ id: 'A', status: 'Accepted', expiresAt: '2026-03-12T00:00:00Z' }, { id: 'B', status: 'Blocked' }]);
    expect(at('2026-03-10T23:59:59Z')).toEqual(first);
    expect(at('2026-03-11T00:00:00Z')[0].expiresAt).toBe('2026-03-13T00:00:00Z');
  });
});

describe('the next update of a charger\'s list', () => {
  const wanted = ['A', 'B', 'C', 'D', 'E'].map(accepted);

  it('sends a full list to a charger the hub never sent one, in chunks: Full first, then Differential, each with the next version', () => {
    const update = localListUpdate({ wanted, chargerVersion: 3, itemsPerMessage: 2 });
    expect(update).toEqual({
      kind: 'full',
      reason: 'the hub never sent this charger a list',
      changes: 5,
      messages: [
        { updateType: 'Full', version: 4, entries: [accepted('A'), accepted('B')] },
        { updateType: 'Differential', version: 5, entries: [accepted('C'), accepted('D')] },
        { updateType: 'Differential', version: 6, entries: [accepted('E')] },
      ],
    });
  });

  it('sends only what changed, removals as entries without status', () => {
    const sent = { version: 7, entries: wanted };
    const next = [accepted('A'), { id: 'B', status: 'Blocked' as const }, accepted('C'), accepted('D'), accepted('F')];
    expect(localListUpdate({ wanted: next, sent, chargerVersion: 7, itemsPerMessage: 10 })).toEqual({
      kind: 'differential',
      reason: '3 changed entries',
      changes: 3,
      messages: [{ updateType: 'Differential', version: 8, entries: [{ id: 'B', status: 'Blocked' }, { id: 'E' }, accepted('F')] }],
    });
  });

  it('sends nothing when the charger holds the wanted list at the version the hub set', () => {
    expect(localListUpdate({ wanted, sent: { version: 2, entries: wanted }, chargerVersion: 2, itemsPerMessage: 10 })).toEqual({ kind: 'none' });
    expect(localListUpdate({ wanted: [], sent: { version: 2, entries: [] }, itemsPerMessage: 10 })).toEqual({ kind: 'none' });
  });

  it('sends a full list when the charger reports another version, when the entries are unknown, and when a diff is no smaller', () => {
    const mismatch = localListUpdate({ wanted, sent: { version: 2, entries: wanted }, chargerVersion: 9, itemsPerMessage: 10 });
    expect(mismatch).toMatchObject({ kind: 'full', reason: 'the charger reports list version 9, the hub set 2', messages: [{ updateType: 'Full', version: 10 }] });
    expect(localListUpdate({ wanted, sent: { version: 2 }, chargerVersion: 2, itemsPerMessage: 10 })).toMatchObject({ kind: 'full', messages: [{ version: 3 }] });
    const replaced = ['V', 'W', 'X'].map(accepted);
    expect(localListUpdate({ wanted: replaced, sent: { version: 2, entries: wanted }, chargerVersion: 2, itemsPerMessage: 10 })).toMatchObject({
      kind: 'full',
      messages: [{ updateType: 'Full', entries: replaced }],
    });
    // an empty wanted list clears the charger's with one Full message without entries
    expect(localListUpdate({ wanted: [], sent: { version: 2, entries: wanted }, itemsPerMessage: 10 })).toMatchObject({
      kind: 'full',
      messages: [{ updateType: 'Full', version: 3, entries: [] }],
    });
  });

  it('uses the default chunk size when the charger named none', () => {
    const many = Array.from({ length: DEFAULT_ITEMS_PER_MESSAGE + 1 }, (_, i) => accepted(`T${String(i).padStart(4, '0')}`));
    const update = localListUpdate({ wanted: many, itemsPerMessage: Number.NaN });
    expect(update.kind === 'full' && update.messages.map((m) => m.entries.length)).toEqual([DEFAULT_ITEMS_PER_MESSAGE, 1]);
  });
});

describe('local list properties', () => {
  const entryArb = fc.record({
    id: fc.constantFrom(...'ABCDEFGHIJKLMNOP'.split('')),
    status: fc.constantFrom('Accepted' as const, 'Blocked' as const),
    expiresAt: fc.option(fc.constantFrom('2026-01-01T00:00:00Z', '2026-02-01T00:00:00Z'), { nil: undefined }),
  });
  const listArb = fc.uniqueArray(entryArb, { selector: (e) => e.id, maxLength: 16 }).map((entries) =>
    entries.map((e) => (e.expiresAt ? e : { id: e.id, status: e.status })).sort((a, b) => (a.id < b.id ? -1 : 1)) as LocalListEntry[],
  );

  it('applying the update to what the charger holds yields exactly the wanted list, in messages no larger than allowed, versions rising', () => {
    fc.assert(
      fc.property(listArb, fc.option(listArb, { nil: undefined }), fc.integer({ min: 0, max: 20 }), fc.boolean(), fc.integer({ min: 1, max: 6 }), (wanted, held, version, mismatch, per) => {
        const chargerVersion = held ? (mismatch ? version + 3 : version) : version;
        const update = localListUpdate({ wanted, sent: held && { version, entries: held }, chargerVersion, itemsPerMessage: per });
        // a mismatch makes the hub distrust `held`; the charger may hold anything then (here: a stranger's list)
        let charger: LocalListEntry[] = held && !mismatch ? held : [accepted('Z')];
        if (update.kind === 'none') {
          expect(charger).toEqual(wanted);
          return;
        }
        let last = Math.max(version, chargerVersion);
        for (const message of update.messages) {
          expect(message.entries.length).toBeLessThanOrEqual(per);
          expect(message.version).toBe(last + 1);
          last = message.version;
          charger = applyLocalListMessage(charger, message);
        }
        expect(charger).toEqual(wanted);
        if (update.kind === 'full') expect(update.messages[0].updateType).toBe('Full');
        else expect(update.changes).toBeLessThan(wanted.length);
      }),
      { numRuns: 300, seed: 1410 },
    );
  });

  it('a diff turns one list into the other and names each id at most once', () => {
    fc.assert(
      fc.property(listArb, listArb, (from, to) => {
        const diff = localListDiff(from, to);
        expect(new Set(diff.map((d) => d.id)).size).toBe(diff.length);
        expect(applyLocalListMessage(from, { updateType: 'Differential', version: 1, entries: diff })).toEqual(to);
      }),
      { numRuns: 300, seed: 1411 },
    );
  });
});
