import { readFileSync } from 'node:fs';
import path from 'node:path';
import { CdrV211 } from '../../../src/core/ocpi-versions/v2.1.1/cdrs.v211.schema';
import { CredentialsV211, VersionDetailsV211, VersionListV211 } from '../../../src/core/ocpi-versions/v2.1.1/credentials.v211.schema';
import { ConnectorPatchV211, EnergyMixV211, EvsePatchV211, EvseV211, HoursV211, LocationPatchV211, LocationV211 } from '../../../src/core/ocpi-versions/v2.1.1/locations.v211.schema';
import { SessionPatchV211, SessionV211 } from '../../../src/core/ocpi-versions/v2.1.1/sessions.v211.schema';
import { TariffPatchV211, TariffV211 } from '../../../src/core/ocpi-versions/v2.1.1/tariffs.v211.schema';
import { TokenPatchV211, TokenV211 } from '../../../src/core/ocpi-versions/v2.1.1/tokens.v211.schema';
import { OCPI_2_1_1_EXAMPLES } from '../../support/spec-examples';
import { example, exampleFiles, exampleText, memberExample, requestExample } from './v211-support';

/** Every JSON example of the 2.1.1 text is read by its schema (INDEX.md says what each file is). */

const WHOLE_OBJECTS: Record<string, { parse: (v: unknown) => unknown }> = {
  'credentials-1.json': CredentialsV211,
  'mod_locations-6.json': LocationV211,
  'mod_sessions-2.json': SessionV211,
  'mod_sessions-3.json': SessionV211,
  'mod_tariffs-3.json': TariffV211,
  'mod_tariffs-4.json': TariffV211,
  'mod_tariffs-5.json': TariffV211,
  'mod_tariffs-6.json': TariffV211,
  'mod_tariffs-7.json': TariffV211,
  'mod_tokens-3.json': TokenV211,
  'version_information_endpoint-1.json': VersionListV211,
  'version_information_endpoint-2.json': VersionDetailsV211,
};

const NOT_JSON = [
  'mod_cdrs-1.json',
  'mod_locations-1.json',
  'mod_locations-2.json',
  'mod_locations-3.json',
  'mod_locations-4.json',
  'mod_locations-5.json',
  'mod_locations-7.json',
  'mod_locations-8.json',
  'mod_locations-9.json',
  'mod_locations-10.json',
  'mod_sessions-1.json',
  'mod_tariffs-1.json',
  'mod_tariffs-2.json',
  'mod_tokens-1.json',
  'mod_tokens-2.json',
];

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

describe('the OCPI 2.1.1 examples', () => {
  it('are 32 code blocks, every one listed in INDEX.md, and exactly the marked ones are not whole JSON values', () => {
    const files = exampleFiles();
    expect(files).toHaveLength(32);
    const index = readFileSync(path.join(OCPI_2_1_1_EXAMPLES, 'INDEX.md'), 'utf8');
    for (const file of files) {
      const row = index.split('\n').find((line) => line.startsWith(`| ${file} |`));
      expect(row).toBeDefined();
      const marked = row!.split('|')[4].trim();
      expect({ file, json: isJson(exampleText(file)) }).toEqual({ file, json: marked === 'yes' });
    }
    expect(files.filter((f) => !isJson(exampleText(f))).sort()).toEqual([...NOT_JSON].sort());
  });

  it.each(Object.entries(WHOLE_OBJECTS))('%s is accepted by its 2.1.1 schema', (file, schema) => {
    expect(() => schema.parse(example(file))).not.toThrow();
  });

  it('reads the data of the transport examples (response envelopes) with the 2.1.1 schemas', () => {
    expect(VersionListV211.parse(example<{ data: unknown }>('transport_and_format-1.json').data)).toHaveLength(2);
    expect(VersionDetailsV211.parse(example<{ data: unknown }>('transport_and_format-2.json').data).endpoints).toHaveLength(2);
    expect(TokenV211.parse(example<{ data: unknown }>('transport_and_format-3.json').data).uid).toBe('012345678');
    const tokens = example<{ data: unknown[] }>('transport_and_format-4.json').data;
    expect(tokens.map((t) => TokenV211.parse(t).uid)).toEqual(['100012', '100013', '100014']);
    expect(example('transport_and_format-5.json')).not.toHaveProperty('data');
  });

  it('reads the bodies of the request examples (after their "To URL" line) as PUT objects or PATCH fragments', () => {
    expect(EvsePatchV211.parse(requestExample('mod_locations-1.json').body)).toEqual({ status: 'CHARGING' });
    expect(LocationPatchV211.parse(requestExample('mod_locations-2.json').body)).toEqual({ name: 'Interparking Gent Zuid' });
    expect(ConnectorPatchV211.parse(requestExample('mod_locations-3.json').body)).toEqual({ tariff_id: '15' });
    expect(EvsePatchV211.parse(requestExample('mod_locations-5.json').body)).toEqual({ status: 'REMOVED' });
    expect(SessionPatchV211.parse(requestExample('mod_sessions-1.json').body)).toEqual({ total_cost: 0.6 });
    expect(TariffPatchV211.parse(requestExample('mod_tariffs-2.json').body).elements).toHaveLength(1);
    expect(TokenV211.parse(requestExample('mod_tokens-1.json').body).auth_id).toBe('DE8ACC12E46L89');
    expect(TokenPatchV211.parse(requestExample('mod_tokens-2.json').body)).toEqual({ valid: false });
  });

  it('finds the errors of the text itself: the PUT examples that are not whole objects, and the CDR example', () => {
    // "Add an EVSE" sends floor (2.1.1 has floor_level), a numeric physical_reference and a connector without power_type/voltage/amperage/last_updated.
    const addEvse = EvseV211.safeParse(requestExample('mod_locations-4.json').body);
    expect(addEvse.success).toBe(false);
    expect(addEvse.error!.issues.map((i) => i.path.join('.'))).toEqual(
      expect.arrayContaining(['physical_reference', 'connectors.0.power_type', 'connectors.0.voltage', 'last_updated']),
    );
    // The "new tariff" PUT has no last_updated, which a Tariff requires.
    const newTariff = TariffV211.safeParse(requestExample('mod_tariffs-1.json').body);
    expect(newTariff.error!.issues.map((i) => i.path.join('.'))).toEqual(['last_updated']);
    // The CDR example has a trailing comma; without it, its tariff price is a string.
    expect(isJson(exampleText('mod_cdrs-1.json'))).toBe(false);
    const withoutComma = exampleText('mod_cdrs-1.json').replace('}],\n\t\t}],', '}]\n\t\t}],');
    const cdr = CdrV211.safeParse(JSON.parse(withoutComma));
    expect(cdr.error!.issues.map((i) => i.path.join('.'))).toEqual(['tariffs.0.elements.0.price_components.0.price']);
  });

  it('reads the member fragments (energy_mix, opening_times) once wrapped in braces', () => {
    for (const file of ['mod_locations-7.json', 'mod_locations-8.json', 'mod_locations-9.json']) {
      expect(EnergyMixV211.parse(memberExample(file).energy_mix).is_green_energy).toBeDefined();
    }
    const hours = HoursV211.parse(memberExample('mod_locations-10.json').opening_times);
    expect(hours.regular_hours).toHaveLength(5);
  });
});
