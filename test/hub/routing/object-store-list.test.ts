import type { ListQuery } from '../../../src/hub/routing/object-store';
import { startTestHub, type TestHub } from '../../support/test-hub';

/**
 * ObjectStore.list: one owner (read by equality, in the index's order) and several owners (merged)
 * answer the same pages, totals and filters as a plain sort of everything stored would.
 */
describe('object store lists', () => {
  let hub: TestHub;
  const owners = [
    { countryCode: 'NL', partyId: 'LS1' },
    { countryCode: 'NL', partyId: 'LS2' },
  ];
  /** What was stored, in the order a list must give: last_updated, then insertion. */
  const stored: { owner: string; id: string; at: Date }[] = [];

  beforeAll(async () => {
    hub = await startTestHub({ startOutbox: false });
    for (let i = 0; i < 30; i++) {
      const owner = owners[i % 3 === 0 ? 0 : 1];
      // Every third pair shares a last_updated: ties are ordered by insertion.
      const at = new Date(Date.UTC(2025, 0, 1, 0, Math.floor(i / 2)));
      const id = `L${i}`;
      await hub.services.store.put({ module: 'locations', ...owner, objectId: id }, { id, n: i }, at);
      stored.push({ owner: `${owner.countryCode}/${owner.partyId}`, id, at });
    }
    stored.sort((a, b) => a.at.getTime() - b.at.getTime());
  });
  afterAll(() => hub.close());

  const list = async (query: Partial<ListQuery> & Pick<ListQuery, 'owners'>) => {
    const page = await hub.services.store.list<{ id: string }>({ module: 'locations', offset: 0, limit: 100, ...query });
    return { ids: page.items.map((item) => item.data.id), total: page.total };
  };
  const expected = (ownerKeys: string[], filter: (s: (typeof stored)[number]) => boolean = () => true) =>
    stored.filter((s) => ownerKeys.includes(s.owner) && filter(s)).map((s) => s.id);

  it('pages one owner and several owners alike, oldest first, with the total of all matches', async () => {
    for (const chosen of [[owners[0]], [owners[1]], owners]) {
      const keys = chosen.map((o) => `${o.countryCode}/${o.partyId}`);
      const all = expected(keys);
      expect(all.length).toBeGreaterThan(5);
      const pages: string[] = [];
      for (let offset = 0; offset < all.length; offset += 4) {
        const page = await list({ owners: chosen, offset, limit: 4 });
        expect(page.total).toBe(all.length);
        pages.push(...page.ids);
      }
      expect(pages).toEqual(all);
      // Past the end: no items, the total still counted.
      expect(await list({ owners: chosen, offset: all.length + 3, limit: 4 })).toEqual({ ids: [], total: all.length });
    }
  });

  it('filters one owner by date_from (inclusive) and date_to (exclusive)', async () => {
    const from = new Date(Date.UTC(2025, 0, 1, 0, 3));
    const to = new Date(Date.UTC(2025, 0, 1, 0, 11));
    const ids = expected(['NL/LS2'], (s) => s.at >= from && s.at < to);
    expect(ids.length).toBeGreaterThan(2);
    expect(await list({ owners: [owners[1]], dateFrom: from, dateTo: to })).toEqual({ ids, total: ids.length });
    expect(await list({ owners: [owners[1]], dateFrom: from, dateTo: to, offset: 1, limit: 2 })).toEqual({ ids: ids.slice(1, 3), total: ids.length });
  });

  it('answers nothing for no owners and for an owner with nothing stored', async () => {
    expect(await list({ owners: [] })).toEqual({ ids: [], total: 0 });
    expect(await list({ owners: [{ countryCode: 'NL', partyId: 'NON' }] })).toEqual({ ids: [], total: 0 });
  });
});
