import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Loss, Translation } from '../../../src/core/ocpi-versions/loss-report';
import { CdrV211 } from '../../../src/core/ocpi-versions/v2.1.1/cdrs.v211.schema';
import { fromV211Cdr, toV211Cdr } from '../../../src/core/ocpi-versions/v2.1.1/cdrs.v211-translation';
import { LocationV211 } from '../../../src/core/ocpi-versions/v2.1.1/locations.v211.schema';
import { fromV211Location, toV211Location } from '../../../src/core/ocpi-versions/v2.1.1/locations.v211-translation';
import { SessionV211 } from '../../../src/core/ocpi-versions/v2.1.1/sessions.v211.schema';
import { fromV211Session, toV211Session } from '../../../src/core/ocpi-versions/v2.1.1/sessions.v211-translation';
import { TariffV211 } from '../../../src/core/ocpi-versions/v2.1.1/tariffs.v211.schema';
import { fromV211Tariff, toV211Tariff } from '../../../src/core/ocpi-versions/v2.1.1/tariffs.v211-translation';
import { TokenV211 } from '../../../src/core/ocpi-versions/v2.1.1/tokens.v211.schema';
import { fromV211Token, toV211Token } from '../../../src/core/ocpi-versions/v2.1.1/tokens.v211-translation';
import type { KnownToken } from '../../../src/core/ocpi-versions/v2.1.1/translation-kit.v211';
import { Cdr } from '../../../src/hub/modules/cdrs/cdrs.schema';
import { Location } from '../../../src/hub/modules/locations/locations.schema';
import { Session } from '../../../src/hub/modules/sessions/sessions.schema';
import { Tariff } from '../../../src/hub/modules/tariffs/tariffs.schema';
import { Token } from '../../../src/hub/modules/tokens/tokens.schema';
import { OCPI_2_2_1_EXAMPLES } from '../../support/spec-examples';

/**
 * The other direction, on the 2.2.1 text's own examples: every whole hub-form object goes to 2.1.1
 * as a valid 2.1.1 object, each loss names a path that exists in the source, and an object without
 * losses comes back to the hub form unchanged.
 */

type Json = Record<string, unknown>;
const read = (file: string): Json => {
  const json = JSON.parse(readFileSync(path.join(OCPI_2_2_1_EXAMPLES, file), 'utf8')) as Json;
  return (json.data as Json | undefined) ?? json;
};
// The sessions and the CDR of the 2.2.1 text take place at its location example (LOC1, EVSE 3256, connector 1).
const knownLocation = Location.parse(read('location_example.json')) as Json;
const owner = (o: Json) => ({ country_code: String(o.country_code), party_id: String(o.party_id) });

interface Module {
  prefix: RegExp;
  hubSchema: { parse: (v: unknown) => unknown };
  v211Schema: { safeParse: (v: unknown) => { success: boolean; error?: unknown } };
  toV211: (hub: Json) => Translation<Json>;
  fromV211: (v211: Json, hub: Json) => Translation<Json>;
}

const MODULES: Module[] = [
  {
    prefix: /^location_example/,
    hubSchema: Location,
    v211Schema: LocationV211,
    toV211: (hub) => toV211Location(hub),
    fromV211: (v, hub) => fromV211Location(v as never, { owner: owner(hub) }),
  },
  {
    prefix: /^tariff_\d+_/,
    hubSchema: Tariff,
    v211Schema: TariffV211,
    toV211: (hub) => toV211Tariff(hub),
    fromV211: (v, hub) => fromV211Tariff(v as never, { owner: owner(hub) }),
  },
  {
    prefix: /^token_example/,
    hubSchema: Token,
    v211Schema: TokenV211,
    toV211: (hub) => toV211Token(hub),
    fromV211: (v, hub) => fromV211Token(v as never, { owner: owner(hub) }),
  },
  {
    prefix: /^session_example/,
    hubSchema: Session,
    v211Schema: SessionV211,
    toV211: (hub) => toV211Session(hub, { location: knownLocation }),
    fromV211: (v, hub) => fromV211Session(v as never, { owner: owner(hub), token: hub.cdr_token as KnownToken }),
  },
  {
    prefix: /^cdr_example/,
    hubSchema: Cdr,
    v211Schema: CdrV211,
    toV211: (hub) => toV211Cdr(hub, { location: knownLocation }),
    fromV211: (v, hub) => fromV211Cdr(v as never, { owner: owner(hub), token: hub.cdr_token as KnownToken }),
  },
];

const LOSSLESS = [
  'location_example.json',
  'location_example_parking_garage_opening_hours.json',
  'location_example_uc2_destination_charger.json',
  'session_example_1_simple_start.json',
  'tariff_14_step_size.json',
  'tariff_5_free_of_charge.json',
];

/** The value at a loss path such as `evses[0].connectors[1].standard`. */
function valueAt(source: unknown, lossPath: string): unknown {
  return lossPath
    .split(/\.|(?=\[)/)
    .reduce<unknown>((node, step) => {
      if (node === undefined || node === null) return undefined;
      const index = /^\[(\d+)\]$/.exec(step);
      return index ? (node as unknown[])[Number(index[1])] : (node as Json)[step];
    }, source);
}

const cases = readdirSync(OCPI_2_2_1_EXAMPLES)
  .flatMap((file) => {
    const module = MODULES.find((m) => m.prefix.test(file));
    return module ? [[file, module] as const] : [];
  })
  .sort(([a], [b]) => a.localeCompare(b));

describe('the 2.2.1 examples into OCPI 2.1.1', () => {
  it('cover every whole location, tariff, token, session and CDR example', () => {
    // 6 locations, 17 tariffs, 2 tokens, 2 sessions, 1 CDR.
    expect(cases.length).toBe(28);
  });

  it.each(cases)('%s becomes a valid 2.1.1 object whose every loss names a path of the source', (file, module) => {
    const hub = module.hubSchema.parse(read(file)) as Json;
    const v211 = module.toV211(hub);
    expect(module.v211Schema.safeParse(v211.value).error).toBeUndefined();
    for (const loss of v211.losses as Loss[]) {
      expect({ path: loss.path, found: valueAt(hub, loss.path) !== undefined }).toEqual({ path: loss.path, found: true });
      expect([loss.from, loss.to]).toEqual(['2.2.1', '2.1.1']);
    }
    expect({ file, lossless: v211.losses.length === 0 }).toEqual({ file, lossless: LOSSLESS.includes(file) });

    const back = module.fromV211(v211.value, hub);
    expect(() => module.hubSchema.parse(back.value)).not.toThrow();
    if (LOSSLESS.includes(file)) expect(back.value).toEqual(hub);
  });
});
