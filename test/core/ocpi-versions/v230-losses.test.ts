// Each loss the OCPI 2.3.0 → hub form (2.2.1) translations name, with its path and kind; the refusals;
// undocumented fields kept by the 2.3.0 schemas (the 2.3.0 → 2.3.0 path passes the sender's original on)
// and named as dropped towards 2.2.1; and the hub form → 2.3.0 direction.
import { TranslationRefused } from '../../../src/core/ocpi-versions/loss-report';
import { SetChargingProfileV230 } from '../../../src/core/ocpi-versions/v2.3.0/chargingprofiles.v230.schema';
import { CdrV230 } from '../../../src/core/ocpi-versions/v2.3.0/cdrs.v230.schema';
import { cdrFromV230, cdrToV230 } from '../../../src/core/ocpi-versions/v2.3.0/cdrs.v230-translation';
import { CredentialsV230 } from '../../../src/core/ocpi-versions/v2.3.0/credentials.v230.schema';
import { credentialsFromV230, credentialsToV230, hubPartyOfV230 } from '../../../src/core/ocpi-versions/v2.3.0/credentials.v230-translation';
import { LocationV230 } from '../../../src/core/ocpi-versions/v2.3.0/locations.v230.schema';
import { connectorFromV230, evseFromV230, locationFromV230 } from '../../../src/core/ocpi-versions/v2.3.0/locations.v230-translation';
import { clientInfoToV230, commandFromV230, setChargingProfileFromV230 } from '../../../src/core/ocpi-versions/v2.3.0/modules.v230-translation';
import { priceFromV230 } from '../../../src/core/ocpi-versions/v2.3.0/price.v230-translation';
import { LossRecorder } from '../../../src/core/ocpi-versions/loss-report';
import { sessionFromV230, sessionPatchFromV230, sessionToV230 } from '../../../src/core/ocpi-versions/v2.3.0/sessions.v230-translation';
import { TariffV230 } from '../../../src/core/ocpi-versions/v2.3.0/tariffs.v230.schema';
import { tariffFromV230, tariffToV230 } from '../../../src/core/ocpi-versions/v2.3.0/tariffs.v230-translation';
import { TokenV230 } from '../../../src/core/ocpi-versions/v2.3.0/tokens.v230.schema';
import { tokenFromV230 } from '../../../src/core/ocpi-versions/v2.3.0/tokens.v230-translation';
import { Cdr } from '../../../src/hub/modules/cdrs/cdrs.schema';
import { Credentials } from '../../../src/hub/modules/credentials/credentials.schema';
import { Location } from '../../../src/hub/modules/locations/locations.schema';
import { Session, SessionPatch } from '../../../src/hub/modules/sessions/sessions.schema';
import { Tariff } from '../../../src/hub/modules/tariffs/tariffs.schema';
import { Token } from '../../../src/hub/modules/tokens/tokens.schema';
import { example230, pathsAndKinds, type Json } from './v230-support';

const clone = <T>(v: T): T => structuredClone(v);

function refusal(run: () => unknown): TranslationRefused {
  try {
    run();
  } catch (error) {
    if (error instanceof TranslationRefused) return error;
    throw error;
  }
  throw new Error('expected the translation to be refused');
}

describe('OCPI 2.3.0 Price → 2.2.1 Price', () => {
  it('sums the tax lines into incl_vat = before_taxes + Σ amounts, exactly, naming the lines', () => {
    const losses = new LossRecorder('2.3.0', '2.2.1');
    const price = priceFromV230(
      { before_taxes: 10.1, taxes: [{ name: 'GST', percentage: 5, amount: 0.505 }, { name: 'QST', percentage: 9.975, amount: 1.0075, account_number: 'QC-1' }] },
      'total_cost',
      losses,
    );
    expect(price).toEqual({ excl_vat: 10.1, incl_vat: 11.6125 });
    expect(pathsAndKinds(losses.losses)).toEqual([['total_cost.taxes', 'value_narrowed']]);
    expect(losses.losses[0].detail).toMatch(/GST 5%: 0.505; QST 9.975% \(account QC-1\): 1.0075/);
  });

  it('carries one line named VAT with nothing else whole, and no taxes as no incl_vat', () => {
    const losses = new LossRecorder('2.3.0', '2.2.1');
    expect(priceFromV230({ before_taxes: 4, taxes: [{ name: 'VAT', amount: 0.4 }] }, 'p', losses)).toEqual({ excl_vat: 4, incl_vat: 4.4 });
    expect(priceFromV230({ before_taxes: 5 }, 'q', losses)).toEqual({ excl_vat: 5 });
    expect(losses.losses).toEqual([]);
  });

  it('names a single VAT line with a percentage as narrowed (the percentage has no place in 2.2.1)', () => {
    const losses = new LossRecorder('2.3.0', '2.2.1');
    priceFromV230({ before_taxes: 4, taxes: [{ name: 'VAT', percentage: 10, amount: 0.4 }] }, 'p', losses);
    expect(pathsAndKinds(losses.losses)).toEqual([['p.taxes', 'value_narrowed']]);
  });
});

describe('OCPI 2.3.0 Locations → hub form', () => {
  const base = () => LocationV230.parse(example230('location_example_uc2_destination_charger.json'));

  it('leaves out connectors whose standard 2.2.1 lacks, and an EVSE left without connectors', () => {
    const location = base();
    const evse = location.evses![0];
    const t2 = evse.connectors[0];
    location.evses = [
      { ...evse, uid: 'E1', connectors: [t2, { ...t2, id: '2', standard: 'MCS' }] },
      { ...evse, uid: 'E2', connectors: [{ ...t2, standard: 'SAE_J3400' }] },
    ];
    const { value, losses } = locationFromV230(location);
    expect(pathsAndKinds(losses)).toEqual([
      ['evses[0].connectors[1].standard', 'value_dropped'],
      ['evses[1].connectors[0].standard', 'value_dropped'],
      ['evses[1]', 'value_dropped'],
    ]);
    const evses = value.evses as Json[];
    expect(evses.map((e) => e.uid)).toEqual(['E1']);
    expect((evses[0].connectors as Json[]).map((c) => c.standard)).toEqual(['IEC_62196_T2']);
    expect(Location.safeParse(value).error?.issues).toBeUndefined();
  });

  it('refuses an EVSE or Connector pushed on its own that 2.2.1 cannot express', () => {
    const evse = base().evses![0];
    const mcs = { ...evse.connectors[0], standard: 'MCS' };
    expect(refusal(() => evseFromV230({ ...evse, connectors: [mcs] })).message).toMatch(/no connector whose standard OCPI 2.2.1 knows/);
    expect(refusal(() => connectorFromV230(mcs)).message).toMatch(/connector standard MCS does not exist in OCPI 2.2.1/);
  });

  it('drops the 2.3.0-only fields and the OpenEnum values 2.2.1 lacks, each by path', () => {
    const location = base();
    Object.assign(location, {
      help_phone: '+31 20 1234567',
      parking_type: 'TRUCK_STOP',
      facilities: ['WIFI', 'CHARGING_HUB'],
      images: [{ url: 'https://example.com/a.png', category: 'LOCATION', type: 'png' }, { url: 'https://example.com/b.png', category: 'PARKING', type: 'png' }],
      operator: { name: 'Op', logo: { url: 'https://example.com/l.png', category: 'BRAND', type: 'png' } },
      publish_allowed_to: [{ uid: 'A1', type: 'RFID' }, { uid: 'E1', type: 'EMAID' }],
      energy_mix: { is_green_energy: false, environ_impact: [{ category: 'CARBON_DIOXIDE', amount: 100 }, { category: 'METHANE', amount: 1 }] },
    });
    const evse = location.evses![0];
    Object.assign(evse, {
      accepted_service_providers: ['Provider A'],
      capabilities: ['RESERVABLE', 'ISO_15118_2_PLUG_AND_CHARGE'],
      parking_restrictions: ['EV_ONLY', 'TAXIS'],
    });
    evse.connectors[0].capabilities = ['ISO_15118_20_PLUG_AND_CHARGE'];
    const parsed = LocationV230.parse(location);
    const { value, losses } = locationFromV230(parsed);
    expect(pathsAndKinds(losses)).toEqual([
      ['help_phone', 'field_dropped'],
      ['parking_type', 'value_dropped'],
      ['facilities[1]', 'value_dropped'],
      ['images[1].category', 'value_dropped'],
      ['operator.logo.category', 'value_dropped'],
      ['energy_mix.environ_impact[1].category', 'value_dropped'],
      ['publish_allowed_to[1].type', 'value_dropped'],
      ['evses[0].accepted_service_providers', 'field_dropped'],
      ['evses[0].capabilities[1]', 'value_dropped'],
      ['evses[0].parking_restrictions[1]', 'value_dropped'],
      ['evses[0].connectors[0].capabilities', 'field_dropped'],
    ]);
    expect(losses.every((l) => l.from === '2.3.0' && l.to === '2.2.1')).toBe(true);
    expect(value).toMatchObject({ facilities: ['WIFI'], publish_allowed_to: [{ uid: 'A1', type: 'RFID' }], operator: { name: 'Op' } });
    expect(value).not.toHaveProperty('help_phone');
    expect(value).not.toHaveProperty('parking_type');
    expect(value).not.toHaveProperty('operator.logo');
    expect(Location.safeParse(value).error?.issues).toBeUndefined();
  });

  it('keeps undocumented fields in the 2.3.0 schema (passed on to 2.3.0) and names them dropped towards 2.2.1', () => {
    const location = { ...base(), afir_station_id: 'X-1' } as Json;
    const evses = location.evses as Json[];
    evses[0] = { ...evses[0], green_label: true };
    const parsed = LocationV230.parse(location);
    expect(parsed).toEqual(location);
    const { value, losses } = locationFromV230(parsed);
    expect(pathsAndKinds(losses)).toEqual([
      ['evses[0].green_label', 'field_dropped'],
      ['afir_station_id', 'field_dropped'],
    ]);
    expect(value).not.toHaveProperty('afir_station_id');
    expect((value.evses as Json[])[0]).not.toHaveProperty('green_label');
  });
});

describe('OCPI 2.3.0 Tariffs → hub form', () => {
  it('refuses a tax-inclusive tariff without vat (tariff_20): no 2.2.1 price excluding VAT can be given', () => {
    const tariff = TariffV230.parse(example230('tariff_20_simple_north_american_inclusive.json'));
    const refused = refusal(() => tariffFromV230(tariff));
    expect(refused.from).toBe('2.3.0');
    expect(refused.to).toBe('2.2.1');
    expect(refused.message).toMatch(/elements\[0\]\.price_components\[0\].*names no vat/);
  });

  it('carries tax-inclusive prices with vat excluding VAT: price × 100 / (100 + vat)', () => {
    const tariff = TariffV230.parse({
      ...example230<Json>('tariff_1_simple_2hour.json'),
      tax_included: 'YES',
      elements: [{ price_components: [{ type: 'TIME', price: 2.2, vat: 10, step_size: 60 }, { type: 'ENERGY', price: 0.3, vat: 21, step_size: 1 }] }],
    });
    const { value, losses } = tariffFromV230(tariff);
    expect(pathsAndKinds(losses)).toEqual([
      ['tax_included', 'field_dropped'],
      ['elements[0].price_components[0].price', 'value_narrowed'],
      ['elements[0].price_components[1].price', 'value_narrowed'],
    ]);
    const components = (value.elements as Json[])[0].price_components as Json[];
    expect(components.map((c) => c.price)).toEqual([2, 0.247934]);
    expect(losses[1].detail).toMatch(/exactly/);
    expect(losses[2].detail).toMatch(/rounded to 6 decimals/);
    expect(Tariff.safeParse(value).error?.issues).toBeUndefined();
  });

  it('names tax_included N/A and preauthorize_amount as dropped; NO loses nothing', () => {
    const base = example230('tariff_12_025kwh_min_price.json');
    const na = tariffFromV230(TariffV230.parse({ ...base, tax_included: 'N/A', preauthorize_amount: 25 }));
    expect(pathsAndKinds(na.losses)).toEqual([
      ['preauthorize_amount', 'field_dropped'],
      ['tax_included', 'field_dropped'],
    ]);
    const no = tariffFromV230(TariffV230.parse(base));
    expect(no.losses).toEqual([]);
    expect(no.value.min_price).toEqual({ excl_vat: 0.5, incl_vat: 0.55 });
    expect(no.value).not.toHaveProperty('tax_included');
  });

  it('hub form → 2.3.0: tax_included NO, Price limits as PriceLimit, no loss', () => {
    const hub = { country_code: 'DE', party_id: 'ALL', id: 'T', currency: 'EUR', max_price: { excl_vat: 10, incl_vat: 12 }, elements: [{ price_components: [{ type: 'FLAT', price: 1, step_size: 1 }] }], last_updated: '2024-01-01T00:00:00Z' };
    const { value, losses } = tariffToV230(hub);
    expect(losses).toEqual([]);
    expect(value).toMatchObject({ tax_included: 'NO', max_price: { before_taxes: 10, after_taxes: 12 } });
    expect(TariffV230.safeParse(value).error?.issues).toBeUndefined();
  });
});

describe('OCPI 2.3.0 Tokens, Sessions and CDRs → hub form', () => {
  it('carries an EMAID token as OTHER (value_narrowed), uid and contract_id unchanged', () => {
    const token = TokenV230.parse({ ...example230<Json>('token_example_2_full_rfid.json'), type: 'EMAID' });
    const { value, losses } = tokenFromV230(token);
    expect(pathsAndKinds(losses)).toEqual([['type', 'value_narrowed']]);
    expect(value).toMatchObject({ type: 'OTHER', uid: token.uid, contract_id: token.contract_id });
    expect(Token.safeParse(value).error?.issues).toBeUndefined();
  });

  it('narrows a session total_cost with several tax lines and an EMAID cdr_token; back to 2.3.0 as one VAT line', () => {
    const session = example230('session_example_2_short_finished.json');
    Object.assign(session, {
      total_cost: { before_taxes: 8, taxes: [{ name: 'GST', amount: 0.4 }, { name: 'PST', amount: 0.56 }] },
      cdr_token: { ...(session.cdr_token as object), type: 'EMAID' },
    });
    const forward = sessionFromV230(session as never);
    expect(pathsAndKinds(forward.losses)).toEqual([
      ['total_cost.taxes', 'value_narrowed'],
      ['cdr_token.type', 'value_narrowed'],
    ]);
    expect(forward.value.total_cost).toEqual({ excl_vat: 8, incl_vat: 8.96 });
    expect(Session.safeParse(forward.value).error?.issues).toBeUndefined();
    expect(sessionToV230(forward.value).value.total_cost).toEqual({ before_taxes: 8, taxes: [{ name: 'VAT', amount: 0.96 }] });
  });

  it('names an undocumented field inside a tax line and an EMAID cdr_token in a session PATCH', () => {
    const cdr = example230('cdr_example.json');
    cdr.total_cost = { before_taxes: 4, taxes: [{ name: 'VAT', amount: 0.4, jurisdiction: 'BE' }] };
    const { value, losses } = cdrFromV230(CdrV230.parse(cdr));
    expect(pathsAndKinds(losses)).toEqual([['total_cost.taxes[0].jurisdiction', 'field_dropped']]);
    expect(value.total_cost).toEqual({ excl_vat: 4, incl_vat: 4.4 });
    const patch = sessionPatchFromV230({ cdr_token: { country_code: 'DE', party_id: 'TNM', uid: 'E1', type: 'EMAID', contract_id: 'DE8ACC12E46L89' }, last_updated: '2024-01-01T00:00:00Z' });
    expect(pathsAndKinds(patch.losses)).toEqual([['cdr_token.type', 'value_narrowed']]);
    expect(SessionPatch.safeParse(patch.value).error?.issues).toBeUndefined();
  });

  it('refuses a CDR whose connector standard 2.2.1 lacks (a financial record: no standard is made up)', () => {
    const cdr = example230('cdr_example.json');
    (cdr.cdr_location as Json).connector_standard = 'MCS';
    expect(refusal(() => cdrFromV230(CdrV230.parse(cdr))).message).toMatch(/connector_standard MCS/);
  });

  it('leaves an embedded tariff 2.2.1 cannot express out of the CDR, naming it, and keeps the totals', () => {
    const cdr = example230('cdr_example.json');
    cdr.tariffs = [example230('tariff_20_simple_north_american_inclusive.json')];
    const { value, losses } = cdrFromV230(CdrV230.parse(cdr));
    expect(pathsAndKinds(losses)).toEqual([['tariffs[0]', 'value_dropped']]);
    expect(value.tariffs).toEqual([]);
    expect(value.total_cost).toEqual({ excl_vat: 4, incl_vat: 4.4 });
    expect(Cdr.safeParse(value).error?.issues).toBeUndefined();
    expect(CdrV230.safeParse(cdrToV230(value).value).error?.issues).toBeUndefined();
  });
});

describe('OCPI 2.3.0 Credentials ↔ hub form', () => {
  const role = (r: string, party: string, name: string) => ({ role: r, country_code: 'NL', party_id: party, business_details: { name } });

  it('from 2.3.0: keeps the roles (with the parties behind a hub) and names hub_party_id dropped', () => {
    const credentials = CredentialsV230.parse({ token: 'abc', url: 'https://hub2.example.com/versions', hub_party_id: 'NLHB2', roles: [role('CPO', 'CP1', 'A'), role('EMSP', 'MS1', 'B')] });
    expect(hubPartyOfV230(credentials)).toEqual({ country_code: 'NL', party_id: 'HB2' });
    const { value, losses } = credentialsFromV230(credentials);
    expect(pathsAndKinds(losses)).toEqual([['hub_party_id', 'field_dropped']]);
    expect(value.roles).toEqual(credentials.roles);
    expect(Credentials.safeParse(value).error?.issues).toBeUndefined();
  });

  it('to 2.3.0: the HUB role becomes hub_party_id and the reachable parties are listed as roles', () => {
    const hub = { token: 'tok', url: 'https://hub.example.com/versions', roles: [role('HUB', 'HUB', 'The Hub')] };
    const reachable = [role('CPO', 'CP1', 'A'), role('EMSP', 'MS1', 'B')] as never[];
    const { value, losses } = credentialsToV230(hub, reachable);
    expect(value.hub_party_id).toBe('NLHUB');
    expect(value.roles).toEqual(reachable);
    expect(pathsAndKinds(losses)).toEqual([['roles[0]', 'value_narrowed']]);
    expect(CredentialsV230.safeParse(value).error?.issues).toBeUndefined();
  });

  it('to 2.3.0: refuses a pure hub with no reachable party (2.3.0 needs a role) and two HUB roles', () => {
    const hub = { token: 'tok', url: 'https://hub.example.com/versions', roles: [role('HUB', 'HUB', 'The Hub')] };
    expect(refusal(() => credentialsToV230(hub)).message).toMatch(/at least one role/);
    expect(refusal(() => credentialsToV230({ ...hub, roles: [role('HUB', 'HUB', 'A'), role('HUB', 'HB2', 'B')] })).message).toMatch(/more than one HUB role/);
  });
});

describe('OCPI 2.3.0 Commands and HubClientInfo', () => {
  it('refuses a command type 2.2.1 does not have; narrows the EMAID token of a StartSession', () => {
    expect(refusal(() => commandFromV230('START_BOOKING', { response_url: 'https://e.example.com/r' })).message).toMatch(/START_BOOKING/);
    const token = { ...example230<Json>("token_example_2_full_rfid.json"), type: "EMAID" };
    const { value, losses } = commandFromV230('START_SESSION', { response_url: 'https://e.example.com/r', token, location_id: 'LOC1' });
    expect(pathsAndKinds(losses)).toEqual([['token.type', 'value_narrowed']]);
    expect((value.token as Json).type).toBe('OTHER');
  });

  it('charging profiles: the one-digit limit is checked; undocumented fields are named towards 2.2.1', () => {
    const body = { response_url: 'https://e.example.com/r', charging_profile: { charging_rate_unit: 'A', charging_profile_period: [{ start_period: 0, limit: 8.1, phases: 3 }] } };
    expect(SetChargingProfileV230.safeParse(body).success).toBe(true);
    expect(SetChargingProfileV230.safeParse({ ...body, charging_profile: { charging_rate_unit: 'A', min_charging_rate: 6.25 } }).success).toBe(false);
    const { losses } = setChargingProfileFromV230(body);
    expect(pathsAndKinds(losses)).toEqual([['charging_profile.charging_profile_period[0].phases', 'field_dropped']]);
  });

  it('refuses a ClientInfo of role HUB towards 2.3.0', () => {
    const info = { country_code: 'NL', party_id: 'HB2', role: 'HUB', status: 'CONNECTED', last_updated: '2024-01-01T00:00:00Z' };
    expect(refusal(() => clientInfoToV230(info)).message).toMatch(/role HUB/);
    expect(clientInfoToV230({ ...info, role: 'CPO' }).value).toEqual({ ...info, role: 'CPO' });
  });
});

it('a loss never invents: every dropped value is absent from the hub form', () => {
  const location = clone(LocationV230.parse(example230('location_example.json')));
  const { value } = locationFromV230(location);
  expect(JSON.stringify(value)).not.toMatch(/parking_places|"parking"/);
});
