import { TranslationRefused } from '../../../src/core/ocpi-versions/loss-report';
import { TariffV211 } from '../../../src/core/ocpi-versions/v2.1.1/tariffs.v211.schema';
import { fromV211Tariff, fromV211TariffPatch, toV211Tariff, toV211TariffPatch } from '../../../src/core/ocpi-versions/v2.1.1/tariffs.v211-translation';
import { Tariff } from '../../../src/hub/modules/tariffs/tariffs.schema';
import { example, requestExample, SENDER } from './v211-support';

const kinds = (losses: { path: string; kind: string }[]) => losses.map((l) => [l.path, l.kind]);
const TARIFF_EXAMPLES = ['mod_tariffs-3.json', 'mod_tariffs-4.json', 'mod_tariffs-5.json', 'mod_tariffs-6.json', 'mod_tariffs-7.json'];

describe('tariffs between OCPI 2.1.1 and the hub form', () => {
  it.each(TARIFF_EXAMPLES)('%s becomes a valid hub-form Tariff and comes back unchanged, without losses', (file) => {
    const original = TariffV211.parse(example(file));
    const hub = fromV211Tariff(original, { owner: SENDER });
    expect(hub.losses).toEqual([]);
    expect(Tariff.safeParse(hub.value).error?.issues).toBeUndefined();
    expect(hub.value).toMatchObject({ country_code: 'NL', party_id: 'TNM', id: original.id });
    const back = toV211Tariff(hub.value);
    expect(back.losses).toEqual([]);
    expect(back.value).toEqual(original);
  });

  it('keeps PARKING_TIME, which 2.1.1 already has (the complex example prices it)', () => {
    const hub = fromV211Tariff(TariffV211.parse(example('mod_tariffs-6.json')), { owner: SENDER });
    const types = (hub.value.elements as { price_components: { type: string }[] }[]).flatMap((e) => e.price_components.map((c) => c.type));
    expect(types).toContain('PARKING_TIME');
  });

  const base = Tariff.parse(fromV211Tariff(TariffV211.parse(example('mod_tariffs-3.json')), { owner: SENDER }).value);
  const element = base.elements[0];

  it('names what 2.2.1 tariffs carry and 2.1.1 cannot: type, min/max price, validity, VAT, current restrictions', () => {
    const richer = Tariff.parse({
      ...base,
      type: 'AD_HOC_PAYMENT',
      min_price: { excl_vat: 1, incl_vat: 1.21 },
      max_price: { excl_vat: 10 },
      start_date_time: '2015-01-01T00:00:00Z',
      end_date_time: '2016-01-01T00:00:00Z',
      elements: [{ ...element, price_components: [{ ...element.price_components[0], vat: 21 }], restrictions: { max_current: 16, day_of_week: ['MONDAY'] } }],
    });
    const v211 = toV211Tariff(richer);
    expect(kinds(v211.losses)).toEqual([
      ['type', 'field_dropped'],
      ['min_price', 'field_dropped'],
      ['max_price', 'field_dropped'],
      ['elements[0].price_components[0].vat', 'field_dropped'],
      ['elements[0].restrictions.max_current', 'field_dropped'],
      ['start_date_time', 'field_dropped'],
      ['end_date_time', 'field_dropped'],
    ]);
    expect(TariffV211.safeParse(v211.value).success).toBe(true);
    expect(v211.value.elements).toEqual([{ ...element, restrictions: { day_of_week: ['MONDAY'] } }]);
  });

  it('leaves out an element restricted to reservations (without the restriction it would price charging) and refuses a tariff left empty', () => {
    const reservation = { price_components: [{ type: 'TIME' as const, price: 1, step_size: 60 }], restrictions: { reservation: 'RESERVATION' as const } };
    const mixed = toV211Tariff(Tariff.parse({ ...base, elements: [reservation, element] }));
    expect(kinds(mixed.losses)).toEqual([['elements[0]', 'value_dropped']]);
    expect(mixed.value.elements).toEqual([element]);
    expect(() => toV211Tariff(Tariff.parse({ ...base, elements: [reservation] }))).toThrow(TranslationRefused);
  });

  it('translates PATCH fragments (the text\'s PUT of elements only), adding no owner and no defaults', () => {
    const body = requestExample('mod_tariffs-2.json').body;
    const hub = fromV211TariffPatch(body, { receivedAt: '2015-06-30T10:00:00Z' });
    expect(hub.value).toEqual({ ...body, last_updated: '2015-06-30T10:00:00Z' });
    expect(Tariff.partial().required({ last_updated: true }).safeParse(hub.value).success).toBe(true);
    expect(toV211TariffPatch({ min_price: { excl_vat: 1 }, last_updated: '2015-06-30T10:00:00Z' })).toEqual({
      value: { last_updated: '2015-06-30T10:00:00Z' },
      losses: [expect.objectContaining({ path: 'min_price', kind: 'field_dropped', from: '2.2.1', to: '2.1.1' })],
    });
  });
});
