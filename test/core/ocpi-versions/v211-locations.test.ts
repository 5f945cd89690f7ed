import { TranslationRefused } from '../../../src/core/ocpi-versions/loss-report';
import { LocationV211 } from '../../../src/core/ocpi-versions/v2.1.1/locations.v211.schema';
import {
  fromV211Connector,
  fromV211Evse,
  fromV211Location,
  fromV211LocationPatch,
  toV211Connector,
  toV211Evse,
  toV211Location,
  toV211LocationPatch,
} from '../../../src/core/ocpi-versions/v2.1.1/locations.v211-translation';
import { ConnectorPatch, EvsePatch, Location, LocationPatch } from '../../../src/hub/modules/locations/locations.schema';
import { example, memberExample, requestExample, SENDER } from './v211-support';

const kinds = (losses: { path: string; kind: string }[]) => losses.map((l) => [l.path, l.kind]);

describe('locations between OCPI 2.1.1 and the hub form', () => {
  const original = LocationV211.parse(example('mod_locations-6.json'));

  it('translates the example location into a valid hub-form Location and back, adding only the configured time zone', () => {
    const hub = fromV211Location(original, { owner: SENDER, timeZone: 'Europe/Brussels' });
    expect(hub.losses).toEqual([]);
    const parsed = Location.safeParse(hub.value);
    expect(parsed.error?.issues).toBeUndefined();
    expect(hub.value).toMatchObject({ country_code: 'NL', party_id: 'TNM', publish: true, parking_type: 'ON_STREET', time_zone: 'Europe/Brussels' });
    expect((hub.value.evses as { connectors: unknown[] }[])[0].connectors[0]).toMatchObject({ max_voltage: 220, max_amperage: 16, tariff_ids: ['11'] });

    const back = toV211Location(hub.value);
    expect(back.losses).toEqual([]);
    expect(back.value).toEqual({ ...original, time_zone: 'Europe/Brussels' });
    expect(LocationV211.safeParse(back.value).success).toBe(true);
  });

  it('round-trips unchanged when the location names its time zone', () => {
    const withZone = { ...original, time_zone: 'Europe/Brussels' };
    const hub = fromV211Location(withZone, { owner: SENDER });
    expect(toV211Location(hub.value).value).toEqual(withZone);
  });

  it('refuses a location without time_zone when no time zone is configured for the sender (2.2.1 requires one)', () => {
    expect(() => fromV211Location(original, { owner: SENDER })).toThrow(TranslationRefused);
    expect(() => fromV211Location(original, { owner: SENDER })).toThrow(/time_zone/);
  });

  it('names the LocationTypes 2.2.1 has no parking type for, and sends them back as UNKNOWN', () => {
    const hub = fromV211Location({ ...original, type: 'OTHER', time_zone: 'Europe/Brussels' }, { owner: SENDER });
    expect(kinds(hub.losses)).toEqual([['type', 'value_dropped']]);
    expect(hub.value).not.toHaveProperty('parking_type');
    expect(Location.safeParse(hub.value).success).toBe(true);
    expect(toV211Location(hub.value).value.type).toBe('UNKNOWN');
  });

  it('reads LocationType UNKNOWN as an absent parking type, so it round-trips without loss', () => {
    const unknown = { ...original, type: 'UNKNOWN' as const, time_zone: 'Europe/Brussels' };
    const hub = fromV211Location(unknown, { owner: SENDER });
    expect(hub.losses).toEqual([]);
    expect(hub.value).not.toHaveProperty('parking_type');
    expect(toV211Location(hub.value)).toEqual({ value: unknown, losses: [] });
  });

  it('names the fields the 2.1.1 text does not define (left out, never passed on as if they were 2.1.1)', () => {
    const hub = fromV211Location({ ...original, time_zone: 'Europe/Brussels', floor: -1 } as LocationV211, { owner: SENDER });
    expect(kinds(hub.losses)).toEqual([['floor', 'field_dropped']]);
  });

  describe('2.2.1 → 2.1.1', () => {
    const hubLocation = fromV211Location({ ...original, time_zone: 'Europe/Brussels' }, { owner: SENDER }).value as Record<string, unknown>;
    const [evse1, evse2] = hubLocation.evses as Record<string, unknown>[];
    const connector = (evse1.connectors as Record<string, unknown>[])[0];

    it('drops the connector standards, power types, capabilities and facilities 2.1.1 lacks, each named', () => {
      const richer = Location.parse({
        ...hubLocation,
        parking_type: 'ALONG_MOTORWAY',
        facilities: ['WIFI', 'METRO_STATION', 'BIKE_SHARING'],
        evses: [
          {
            ...evse1,
            capabilities: ['RESERVABLE', 'CONTACTLESS_CARD_SUPPORT'],
            connectors: [connector, { ...connector, id: '3', standard: 'GBT_DC' }, { ...connector, id: '4', power_type: 'AC_2_PHASE' }],
          },
          { ...evse2, connectors: [{ ...connector, standard: 'NEMA_5_20' }] },
        ],
      });
      const v211 = toV211Location(richer);
      expect(kinds(v211.losses)).toEqual([
        ['parking_type', 'value_narrowed'],
        ['evses[0].capabilities[1]', 'value_dropped'],
        ['evses[0].connectors[1]', 'value_dropped'],
        ['evses[0].connectors[2]', 'value_dropped'],
        ['evses[1].connectors[0]', 'value_dropped'],
        ['evses[1]', 'value_dropped'],
        ['facilities[1]', 'value_dropped'],
        ['facilities[2]', 'value_dropped'],
      ]);
      expect(v211.value).toMatchObject({ type: 'OTHER', facilities: ['WIFI'] });
      const evses = v211.value.evses as Record<string, unknown>[];
      expect(evses).toHaveLength(1);
      expect(evses[0].capabilities).toEqual(['RESERVABLE']);
      expect((evses[0].connectors as unknown[]).length).toBe(1);
      expect(LocationV211.safeParse(v211.value).success).toBe(true);
    });

    it('names the 2.2.1 fields 2.1.1 lacks: publish false, publish_allowed_to, max_electric_power, extra tariff_ids', () => {
      const richer = Location.parse({
        ...hubLocation,
        publish: false,
        publish_allowed_to: [{ uid: '012345678' }],
        evses: [{ ...evse1, connectors: [{ ...connector, max_electric_power: 11000, tariff_ids: ['11', '12'] }] }],
      });
      const v211 = toV211Location(richer);
      expect(kinds(v211.losses)).toEqual([
        ['publish', 'field_dropped'],
        ['publish_allowed_to', 'field_dropped'],
        ['evses[0].connectors[0].max_electric_power', 'field_dropped'],
        ['evses[0].connectors[0].tariff_ids', 'value_narrowed'],
      ]);
      expect((v211.value.evses as { connectors: { tariff_id: string }[] }[])[0].connectors[0].tariff_id).toBe('11');
    });

    it('refuses a location without postal_code (required in 2.1.1), and a connector or EVSE 2.1.1 cannot name', () => {
      const { postal_code: _omitted, ...withoutPostalCode } = hubLocation;
      expect(() => toV211Location(withoutPostalCode)).toThrow(/postal_code/);
      expect(() => toV211Connector({ ...connector, standard: 'CHAOJI' })).toThrow(TranslationRefused);
      expect(() => toV211Evse({ ...evse1, connectors: [{ ...connector, standard: 'GBT_AC' }] })).toThrow(TranslationRefused);
      expect(toV211Evse(evse1).value).toEqual((original.evses ?? [])[0]);
    });
  });

  describe('PATCH fragments', () => {
    it('translates the text\'s PATCH examples, taking last_updated from the time of receipt when 2.1.1 leaves it out', () => {
      const receivedAt = '2015-06-30T10:00:00Z';
      const status = fromV211Evse(requestExample('mod_locations-1.json').body, { receivedAt });
      expect(status.value).toEqual({ status: 'CHARGING', last_updated: receivedAt });
      expect(EvsePatch.safeParse(status.value).success).toBe(true);

      const name = fromV211LocationPatch(requestExample('mod_locations-2.json').body, { receivedAt });
      expect(LocationPatch.safeParse(name.value).success).toBe(true);
      expect(name.value.name).toBe('Interparking Gent Zuid');

      const tariff = fromV211Connector(requestExample('mod_locations-3.json').body, { receivedAt });
      expect(tariff.value).toEqual({ tariff_ids: ['15'], last_updated: receivedAt });
      expect(ConnectorPatch.safeParse(tariff.value).success).toBe(true);
      expect(toV211Connector(tariff.value).value).toEqual({ tariff_id: '15', last_updated: receivedAt });
    });

    it('leaves last_updated out when no time of receipt is given (the hub form then refuses the PATCH, nothing is invented)', () => {
      const status = fromV211Evse(requestExample('mod_locations-1.json').body);
      expect(status.value).toEqual({ status: 'CHARGING' });
      expect(EvsePatch.safeParse(status.value).success).toBe(false);
    });

    it('translates the opening_times example (2.1.1 sends both regular hours and twentyfourseven: false) unchanged both ways', () => {
      const opening_times = memberExample('mod_locations-10.json').opening_times;
      const hub = fromV211LocationPatch({ opening_times } as never, { receivedAt: '2015-06-30T10:00:00Z' });
      expect(LocationPatch.safeParse(hub.value).success).toBe(true);
      expect(toV211LocationPatch(hub.value).value.opening_times).toEqual(opening_times);
    });

    it('adds twentyfourseven: false to 2.1.1 opening times that give regular hours only (2.2.1 requires it)', () => {
      const regular = { regular_hours: [{ weekday: 1, period_begin: '08:00', period_end: '20:00' }] };
      const hub = fromV211LocationPatch({ opening_times: regular } as never);
      expect(hub.value.opening_times).toEqual({ ...regular, twentyfourseven: false });
    });

    it('carries a 2.2.1 location PATCH to 2.1.1 with the same losses as a whole one, and no defaults added', () => {
      const patch = toV211LocationPatch({ facilities: ['TRAM_STOP'], last_updated: '2015-06-30T10:00:00Z' });
      expect(patch.value).toEqual({ facilities: [], last_updated: '2015-06-30T10:00:00Z' });
      expect(kinds(patch.losses)).toEqual([['facilities[0]', 'value_dropped']]);
    });
  });
});
