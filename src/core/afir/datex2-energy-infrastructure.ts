import { create } from 'xmlbuilder2';
import type { XMLBuilder } from 'xmlbuilder2/lib/interfaces';
import { type AfirLocation, type AfirTariff, connectorPowerKw } from './afir-rules';
import { AD_HOC_PAYMENT } from './afir-tariff-lint';

/**
 * DATEX II v3 energy-infrastructure publications (CEN/TS 16157-10) of OCPI Locations, for a National
 * Access Point (AFIR Art. 20): the EnergyInfrastructureTablePublication (static: sites, charging
 * points, connectors, the ad hoc price) and the EnergyInfrastructureStatusPublication (dynamic: each
 * charging point's status). Pure: the caller gives the objects and the time.
 *
 * Mapping: a Location is an energyInfrastructureSite with one energyInfrastructureStation; each EVSE
 * is a refillPoint (ElectricChargingPoint) with its connectors; the EVSE's ad hoc tariff is its
 * RateTable, one rateLineCollection per tariff element. Ids are the eMI3 forms `CC*PID*location` and
 * the EVSE's evse_id, so a status names the same objects as the table. Written against the DATEX II
 * 3.3 schemas in test/fixtures/datex2-v3 (NOTICE), which the tests validate both documents with.
 */

const NS = {
  d2: 'http://datex2.eu/schema/3/d2Payload',
  com: 'http://datex2.eu/schema/3/common',
  egi: 'http://datex2.eu/schema/3/energyInfrastructure',
  fac: 'http://datex2.eu/schema/3/facilities',
  loc: 'http://datex2.eu/schema/3/locationReferencing',
  locx: 'http://datex2.eu/schema/3/locationExtension',
  xsi: 'http://www.w3.org/2001/XMLSchema-instance',
};

/** The fields of an OCPI Location the publications read beyond the AFIR rules'. */
export interface Datex2Location extends AfirLocation {
  name?: string;
  address: string;
  city: string;
  postal_code?: string;
  country: string;
  coordinates: { latitude: string; longitude: string };
  time_zone: string;
  last_updated: string;
  opening_times?: {
    twentyfourseven: boolean;
    regular_hours?: { weekday: number; period_begin: string; period_end: string }[];
    exceptional_closings?: { period_begin: string; period_end: string }[];
  };
  evses?: (NonNullable<AfirLocation['evses']>[number] & {
    last_updated: string;
    connectors: (NonNullable<AfirLocation['evses']>[number]['connectors'][number] & { standard: string; format: string })[];
  })[];
}

export interface Datex2Tariff extends AfirTariff {
  country_code: string;
  party_id: string;
  last_updated: string;
  elements: { price_components: { type: string; price: number; vat?: number; step_size: number }[]; restrictions?: Record<string, unknown> }[];
}

export interface Datex2Cpo {
  locations: Datex2Location[];
  /** The CPO's tariffs by id. */
  tariffs: ReadonlyMap<string, Datex2Tariff>;
}

export interface Datex2Publisher {
  /** ISO 3166-1 alpha-2 country of the publisher (the hub's). */
  country: string;
  nationalIdentifier: string;
  /** Language of the texts (the Location names are in no declared language). */
  lang?: string;
}

const siteId = (l: Datex2Location) => `${l.country_code}*${l.party_id}*${l.id}`;
const pointId = (l: Datex2Location, evse: { uid: string; evse_id?: string }) => evse.evse_id ?? `${siteId(l)}*${evse.uid}`;
/** A version that changes whenever the object does: its last_updated, as digits. */
const versionOf = (lastUpdated: string) => lastUpdated.replace(/\D/g, '').slice(0, 14);

const STATUS: Record<string, string> = {
  AVAILABLE: 'available', BLOCKED: 'blocked', CHARGING: 'charging', INOPERATIVE: 'inoperative', OUTOFORDER: 'outOfOrder',
  PLANNED: 'planned', REMOVED: 'removed', RESERVED: 'reserved', UNKNOWN: 'unknown',
};

/** OCPI ConnectorType → DATEX II ConnectorTypeEnum (`other` where DATEX II has no name). */
function connectorType(standard: string): string {
  const known: Record<string, string> = {
    CHADEMO: 'chademo', IEC_62196_T1: 'iec62196T1', IEC_62196_T1_COMBO: 'iec62196T1COMBO', IEC_62196_T2: 'iec62196T2',
    IEC_62196_T2_COMBO: 'iec62196T2COMBO', IEC_62196_T3A: 'iec62196T3A', IEC_62196_T3C: 'iec62196T3C', IEC_60309_2_single_16: 'iec60309x2single16',
    IEC_60309_2_three_16: 'iec60309x2three16', IEC_60309_2_three_32: 'iec60309x2three32', IEC_60309_2_three_64: 'iec60309x2three64',
    PANTOGRAPH_BOTTOM_UP: 'pantographBottomUp', PANTOGRAPH_TOP_DOWN: 'pantographTopDown', TESLA_R: 'teslaR', TESLA_S: 'teslaS',
  };
  const domestic = /^DOMESTIC_([A-O])$/.exec(standard);
  return known[standard] ?? (domestic ? `domestic${domestic[1]}` : 'other');
}

/** What a DATEX II reader may use to start a charge, from the EVSE's OCPI capabilities. */
function authenticationMethods(capabilities: readonly string[]): string[] {
  const methods: Record<string, string> = {
    CREDIT_CARD_PAYABLE: 'creditCard', DEBIT_CARD_PAYABLE: 'debitCard', CONTACTLESS_CARD_SUPPORT: 'nfc', PED_TERMINAL: 'pinpad',
    RFID_READER: 'rfid', REMOTE_START_STOP_CAPABLE: 'apps',
  };
  return [...new Set(capabilities.map((c) => methods[c]).filter((m): m is string => Boolean(m)))].sort();
}

function text(parent: XMLBuilder, name: string, value: string, lang: string): void {
  parent.ele(name).ele('com:values').ele('com:value', { lang }).txt(value);
}

/** AmountOfMoney has two decimals in DATEX II: rounded half up to the cent; the exact price stays in the line's description. */
function cents(price: number): string {
  return (Math.round(price * 100 + Number.EPSILON) / 100).toFixed(2);
}

const UNIT: Record<string, string> = { ENERGY: 'per kWh', TIME: 'per hour of charging', PARKING_TIME: 'per hour of occupancy (not charging)', FLAT: 'per session' };

/** A tariff element's restrictions in words, so a rate line that applies only sometimes says when. */
function restrictionText(r: Record<string, unknown> | undefined): string {
  if (!r) return '';
  const parts: string[] = [];
  if (r.day_of_week) parts.push((r.day_of_week as string[]).map((d) => d.slice(0, 3).toLowerCase()).join(','));
  if (r.start_time || r.end_time) parts.push(`${String(r.start_time ?? '00:00')}-${String(r.end_time ?? '24:00')}`);
  if (r.start_date || r.end_date) parts.push(`${String(r.start_date ?? '')}..${String(r.end_date ?? '')}`);
  const bounds = [['min_power', '≥', 'kW'], ['max_power', '<', 'kW'], ['min_kwh', '≥', 'kWh'], ['max_kwh', '<', 'kWh'], ['min_duration', '≥', 's'], ['max_duration', '<', 's']] as const;
  for (const [key, op, unit] of bounds) if (r[key] !== undefined) parts.push(`${op} ${String(r[key])} ${unit}`);
  return parts.length ? ` (only ${parts.join('; ')})` : '';
}

function rates(parent: XMLBuilder, tariff: Datex2Tariff, lang: string): void {
  // Tariff ids are unique per CPO only.
  const table = parent.ele('fac:rates', { 'xsi:type': 'fac:RateTable', id: `${tariff.country_code}*${tariff.party_id}*${tariff.id}`, version: versionOf(tariff.last_updated) });
  table.ele('fac:applicableCurrency').txt(tariff.currency);
  table.ele('fac:lastUpdated').txt(tariff.last_updated);
  text(table, 'fac:rateTableName', `Ad hoc price ${tariff.id}`, lang);
  tariff.elements.forEach((element, index) => {
    const collection = table.ele('fac:rateLineCollection', { collectionSequence: String(index) });
    collection.ele('fac:applicableCurrency').txt(tariff.currency);
    // OCPI 2.2.1 prices are excl. VAT (mod_tariffs, PriceComponent price); the rate is the component's vat.
    collection.ele('fac:taxIncluded').txt('false');
    const vats = [...new Set(element.price_components.map((c) => c.vat))];
    if (vats.length === 1 && vats[0] !== undefined) collection.ele('fac:taxRate').txt(String(vats[0]));
    element.price_components.forEach((component, sequence) => {
      const line = collection.ele('fac:rateLine', { sequence: String(sequence) });
      line.ele('fac:rateLineType').txt(component.type === 'FLAT' ? 'flatRate' : 'perUnit');
      text(line, 'fac:description', `${component.price} ${tariff.currency} ${UNIT[component.type] ?? component.type}, excl. VAT${restrictionText(element.restrictions)}`, lang);
      if (component.type === 'TIME' || component.type === 'PARKING_TIME') line.ele('fac:incrementPeriod').txt('PT1H');
      line.ele('fac:value').txt(cents(component.price));
    });
  });
}

const DAYS = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'];

/**
 * OCPI opening_times as DATEX II operating hours: 24/7 is OpenAllHours; regular hours are one valid
 * period per OCPI entry (its weekday, 1 = Monday, and its local times), exceptional closings exception
 * periods. Exceptional openings have no place beside a weekly schedule here and are left out.
 */
function operatingHours(site: XMLBuilder, l: Datex2Location, id: string): void {
  const hours = l.opening_times;
  if (!hours) return;
  if (hours.twentyfourseven) {
    site.ele('fac:operatingHours', { 'xsi:type': 'fac:OpenAllHours' });
    return;
  }
  const regular = (hours.regular_hours ?? []).filter((r) => r.weekday >= 1 && r.weekday <= 7);
  if (regular.length === 0) return;
  const spec = site.ele('fac:operatingHours', { 'xsi:type': 'fac:OperatingHoursSpecification', id, version: versionOf(l.last_updated) });
  const period = spec.ele('fac:overallPeriod');
  // The schedule is known to hold since the Location last changed.
  period.ele('com:overallStartTime').txt(l.last_updated);
  for (const r of regular) {
    const valid = period.ele('com:validPeriod');
    const time = valid.ele('com:recurringTimePeriodOfDay');
    time.ele('com:startTimeOfPeriod').txt(`${r.period_begin}:00`);
    time.ele('com:endTimeOfPeriod').txt(`${r.period_end}:00`);
    valid.ele('com:recurringDayWeekMonthPeriod').ele('com:applicableDay').txt(DAYS[r.weekday - 1]);
  }
  for (const closing of hours.exceptional_closings ?? []) {
    const exception = period.ele('com:exceptionPeriod');
    exception.ele('com:startOfPeriod').txt(closing.period_begin);
    exception.ele('com:endOfPeriod').txt(closing.period_end);
  }
}

function header(type: string, publisher: Datex2Publisher, at: Date): XMLBuilder {
  const payload = create({ version: '1.0', encoding: 'UTF-8' }).ele(NS.d2, 'd2:payload', {
    'xmlns:com': NS.com, 'xmlns:egi': NS.egi, 'xmlns:fac': NS.fac, 'xmlns:loc': NS.loc, 'xmlns:locx': NS.locx, 'xmlns:xsi': NS.xsi,
    'xsi:type': `egi:${type}`, lang: publisher.lang ?? 'en', modelBaseVersion: '3',
  });
  payload.ele('com:publicationTime').txt(at.toISOString());
  const creator = payload.ele('com:publicationCreator');
  creator.ele('com:country').txt(publisher.country.toLowerCase());
  creator.ele('com:nationalIdentifier').txt(publisher.nationalIdentifier);
  return payload;
}

const publishedEvses = (l: Datex2Location) => (l.evses ?? []).filter((e) => e.status !== 'REMOVED');

/** The static publication: every given location with its charging points, connectors and ad hoc prices. */
export function energyInfrastructureTable(cpos: readonly Datex2Cpo[], publisher: Datex2Publisher, at: Date): string {
  const lang = publisher.lang ?? 'en';
  const payload = header('EnergyInfrastructureTablePublication', publisher, at);
  const locations = cpos.flatMap((cpo) => cpo.locations.map((l) => ({ l, tariffs: cpo.tariffs })));
  const newest = locations.map(({ l }) => versionOf(l.last_updated)).sort().at(-1) ?? '0';
  const table = payload.ele('egi:energyInfrastructureTable', { id: `${publisher.nationalIdentifier}-energy-infrastructure`, version: newest });
  for (const { l, tariffs } of locations) {
    const site = table.ele('egi:energyInfrastructureSite', { id: siteId(l), version: versionOf(l.last_updated) });
    text(site, 'fac:name', l.name ?? l.id, lang);
    site.ele('fac:externalIdentifier').txt(`${l.country_code}/${l.party_id}/${l.id}`);
    site.ele('fac:lastUpdated').txt(l.last_updated);
    operatingHours(site, l, `${siteId(l)}*HOURS`);
    const where = site.ele('fac:locationReference', { 'xsi:type': 'loc:PointLocation' });
    const facility = where.ele('loc:_locationReferenceExtension').ele('loc:facilityLocation');
    const address = facility.ele('locx:address');
    if (l.postal_code) address.ele('locx:postcode').txt(l.postal_code);
    text(address, 'locx:city', l.city, lang);
    address.ele('locx:addressLine', { order: '0' }).ele('locx:type').txt('street').up().ele('locx:text').ele('com:values').ele('com:value', { lang }).txt(l.address);
    const point = where.ele('loc:pointByCoordinates').ele('loc:pointCoordinates');
    point.ele('loc:latitude').txt(String(Number(l.coordinates.latitude)));
    point.ele('loc:longitude').txt(String(Number(l.coordinates.longitude)));
    if (l.operator?.name) {
      const operator = site.ele('fac:operator', { 'xsi:type': 'fac:OrganisationSpecification', id: `${l.country_code}*${l.party_id}`, version: '1' });
      text(operator, 'fac:name', l.operator.name, lang);
      const unit = operator.ele('fac:organisationUnit');
      if (l.help_phone) unit.ele('fac:contactInformation').ele('fac:telephoneNumber').txt(l.help_phone);
    }
    const evses = publishedEvses(l);
    if (evses.length === 0) continue;
    const station = site.ele('egi:energyInfrastructureStation', { id: `${siteId(l)}*STATION`, version: versionOf(l.last_updated) });
    for (const method of authenticationMethods(evses.flatMap((e) => e.capabilities ?? []))) station.ele('egi:authenticationAndIdentificationMethods').txt(method);
    for (const evse of evses) {
      const refill = station.ele('egi:refillPoint', { 'xsi:type': 'egi:ElectricChargingPoint', id: pointId(l, evse), version: versionOf(evse.last_updated) });
      refill.ele('fac:externalIdentifier').txt(evse.uid);
      refill.ele('fac:lastUpdated').txt(evse.last_updated);
      const adHoc = [...new Set(evse.connectors.flatMap((c) => c.tariff_ids ?? []))].map((id) => tariffs.get(id)).find((t) => t?.type === AD_HOC_PAYMENT);
      if (adHoc) rates(refill, adHoc, lang);
      const powers = evse.connectors.map(connectorPowerKw).filter((p): p is number => p !== undefined);
      if (powers.length) refill.ele('egi:availableChargingPower').txt(String(Math.max(...powers) * 1000));
      for (const connector of evse.connectors) {
        const c = refill.ele('egi:connector');
        c.ele('egi:connectorType').txt(connectorType(connector.standard));
        // DATEX II names mode 3 only for three phases; a one- or two-phase AC mode is left unsaid rather than guessed.
        const mode = connector.power_type === 'DC' ? 'mode4DC' : connector.power_type === 'AC_3_PHASE' ? 'mode3AC3p' : undefined;
        if (mode) c.ele('egi:chargingMode').txt(mode);
        c.ele('egi:connectorFormat').txt(connector.format === 'SOCKET' ? 'socket' : 'otherCable');
        c.ele('egi:maxPowerAtSocket').txt(String((connectorPowerKw(connector) ?? 0) * 1000));
        if (connector.max_voltage > 0) c.ele('egi:voltage').txt(String(connector.max_voltage));
        if (connector.max_amperage > 0) c.ele('egi:maximumCurrent').txt(String(connector.max_amperage));
      }
    }
  }
  return payload.end({ prettyPrint: true });
}

/** The dynamic publication: each charging point's status, naming the table's objects by id. */
export function energyInfrastructureStatus(cpos: readonly Datex2Cpo[], publisher: Datex2Publisher, at: Date): string {
  const payload = header('EnergyInfrastructureStatusPublication', publisher, at);
  for (const l of cpos.flatMap((cpo) => cpo.locations)) {
    const evses = publishedEvses(l);
    const site = payload.ele('egi:energyInfrastructureSiteStatus');
    site.ele('fac:reference', { targetClass: 'fac:FacilityObject', id: siteId(l) });
    site.ele('fac:lastUpdated').txt(l.last_updated);
    if (evses.length === 0) continue;
    const station = site.ele('egi:energyInfrastructureStationStatus');
    station.ele('fac:reference', { targetClass: 'fac:FacilityObject', id: `${siteId(l)}*STATION` });
    station.ele('egi:isAvailable').txt(String(evses.some((e) => e.status === 'AVAILABLE')));
    for (const evse of evses) {
      const point = station.ele('egi:refillPointStatus', { 'xsi:type': 'egi:ElectricChargingPointStatus' });
      point.ele('fac:reference', { targetClass: 'fac:FacilityObject', id: pointId(l, evse) });
      point.ele('fac:lastUpdated').txt(evse.last_updated);
      point.ele('egi:status').txt(STATUS[evse.status] ?? 'unknown');
    }
  }
  return payload.end({ prettyPrint: true });
}
