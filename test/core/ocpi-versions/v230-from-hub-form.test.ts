// Hub form (2.2.1) → 2.3.0 → hub form: every whole-object example of the 2.2.1 text, read by the hub's 2.2.1
// schemas, translates to 2.3.0 with no loss, validates against the 2.3.0 schema, and comes back unchanged.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { z } from 'zod';
import type { Translation } from '../../../src/core/ocpi-versions/loss-report';
import { CdrV230 } from '../../../src/core/ocpi-versions/v2.3.0/cdrs.v230.schema';
import { cdrFromV230, cdrToV230 } from '../../../src/core/ocpi-versions/v2.3.0/cdrs.v230-translation';
import { CredentialsV230 } from '../../../src/core/ocpi-versions/v2.3.0/credentials.v230.schema';
import { credentialsFromV230, credentialsToV230 } from '../../../src/core/ocpi-versions/v2.3.0/credentials.v230-translation';
import { LocationV230 } from '../../../src/core/ocpi-versions/v2.3.0/locations.v230.schema';
import { locationFromV230, locationToV230 } from '../../../src/core/ocpi-versions/v2.3.0/locations.v230-translation';
import { SessionV230 } from '../../../src/core/ocpi-versions/v2.3.0/sessions.v230.schema';
import { sessionFromV230, sessionToV230 } from '../../../src/core/ocpi-versions/v2.3.0/sessions.v230-translation';
import { TariffV230 } from '../../../src/core/ocpi-versions/v2.3.0/tariffs.v230.schema';
import { tariffFromV230, tariffToV230 } from '../../../src/core/ocpi-versions/v2.3.0/tariffs.v230-translation';
import { TokenV230 } from '../../../src/core/ocpi-versions/v2.3.0/tokens.v230.schema';
import { tokenFromV230, tokenToV230 } from '../../../src/core/ocpi-versions/v2.3.0/tokens.v230-translation';
import { Cdr } from '../../../src/hub/modules/cdrs/cdrs.schema';
import { Credentials } from '../../../src/hub/modules/credentials/credentials.schema';
import { Location } from '../../../src/hub/modules/locations/locations.schema';
import { Session } from '../../../src/hub/modules/sessions/sessions.schema';
import { Tariff } from '../../../src/hub/modules/tariffs/tariffs.schema';
import { Token } from '../../../src/hub/modules/tokens/tokens.schema';
import { OCPI_2_2_1_EXAMPLES } from '../../support/spec-examples';
import type { Json } from './v230-support';

interface Module {
  hub: z.ZodType;
  v230: z.ZodType;
  up: (value: Json) => Translation<unknown>;
  down: (value: never) => Translation<Json>;
}
const location: Module = { hub: Location, v230: LocationV230, up: locationToV230, down: locationFromV230 as Module['down'] };
const tariff: Module = { hub: Tariff, v230: TariffV230, up: tariffToV230, down: tariffFromV230 as Module['down'] };
const token: Module = { hub: Token, v230: TokenV230, up: tokenToV230, down: tokenFromV230 as Module['down'] };
const session: Module = { hub: Session, v230: SessionV230, up: sessionToV230, down: sessionFromV230 as Module['down'] };
const credentials: Module = { hub: Credentials, v230: CredentialsV230, up: (c) => credentialsToV230(c), down: credentialsFromV230 as Module['down'] };

const WHOLE_OBJECTS: [string, Module][] = [
  ['cdr_example.json', { hub: Cdr, v230: CdrV230, up: cdrToV230, down: cdrFromV230 as Module['down'] }],
  ...['credentials_example.json', 'credentials_example2.json', 'credentials_example3.json', 'credentials_example4.json'].map((f) => [f, credentials] as [string, Module]),
  ...[
    'location_example.json',
    'location_example_parking_garage_opening_hours.json',
    'location_example_uc2_destination_charger.json',
    'location_example_uc3_destination_charger_not_published.json',
    'location_example_uc4_limited_visibility.json',
    'location_example_uc5_home_charge_point.json',
  ].map((f) => [f, location] as [string, Module]),
  ...['session_example_1_simple_start.json', 'session_example_2_short_finished.json'].map((f) => [f, session] as [string, Module]),
  ...[
    'tariff_10_025kwh_parking_start.json', 'tariff_11_not_possible_alt_text.json', 'tariff_12_025kwh_min_price.json', 'tariff_13_simple_3hour_5parking.json',
    'tariff_14_step_size.json', 'tariff_15_reservation_5_euro_per_hour.json', 'tariff_16_reservation_2_euro_fee_5_euro_per_hour.json',
    'tariff_17_reservation_with_expire_fee.json', 'tariff_18_reservation_with_expire_time.json', 'tariff_1_simple_2hour.json', 'tariff_2_alt_text.json',
    'tariff_3_alt_url.json', 'tariff_4_complex.json', 'tariff_5_free_of_charge.json', 'tariff_6_025kwh_start_max_price.json', 'tariff_8_simple_025kwh.json',
    'tariff_9_025kwh_start.json', 'tariffrestriction_example_max_duration.json', 'tariffrestriction_example_max_power.json',
  ].map((f) => [f, tariff] as [string, Module]),
  ...['token_example_1_app_user.json', 'token_example_2_full_rfid.json', 'token_put_example.json'].map((f) => [f, token] as [string, Module]),
];

describe.each(WHOLE_OBJECTS)('2.2.1 example %s', (file, module) => {
  it('goes up to 2.3.0 losing nothing, valid 2.3.0, and comes back unchanged', () => {
    const raw = JSON.parse(readFileSync(path.join(OCPI_2_2_1_EXAMPLES, file), 'utf8'));
    const hubForm = module.hub.parse(raw) as Json;
    const up = module.up(hubForm);
    expect(up.losses).toEqual([]);
    expect(module.v230.safeParse(up.value).error?.issues).toBeUndefined();
    const down = module.down(up.value as never);
    expect(down.losses).toEqual([]);
    expect(down.value).toEqual(hubForm);
  });
});
