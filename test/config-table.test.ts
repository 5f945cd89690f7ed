// README's configuration table is the one place the variables are documented: it must list every
// variable src/foundation/config.ts reads, and nothing it does not (besides the CLI's own).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { CONFIG_VARIABLES } from '../src/foundation/config';

const CLI_ONLY = ['OCPI_HUB_URL'];

/** The variable names in the first column of the table under "## Configuration". */
function documented(): string[] {
  const readme = readFileSync(path.join(__dirname, '../README.md'), 'utf8');
  const section = readme.split(/^## Configuration$/m)[1]?.split(/^## /m)[0] ?? '';
  const rows = section.split('\n').filter((line) => line.startsWith('| `'));
  return rows.flatMap((row) => [...row.split('|')[1].matchAll(/`([A-Z][A-Z0-9_]*)`/g)].map((m) => m[1]));
}

describe("README's configuration table", () => {
  it('is found, with the variables src/foundation/config.ts reads', () => {
    expect(CONFIG_VARIABLES).toEqual(expect.arrayContaining(['PORT', 'SESSION_UPDATE_INTERVAL_SECONDS', 'OWN_CPO_PARTY_ID', 'STRIPE_SECRET_KEY']));
    expect(documented().length).toBeGreaterThan(20);
  });

  it('lists every variable src/foundation/config.ts reads', () => {
    expect(CONFIG_VARIABLES.filter((name) => !documented().includes(name))).toEqual([]);
  });

  it('lists no variable src/foundation/config.ts does not read (but the CLI\'s own)', () => {
    expect(documented().filter((name) => !CONFIG_VARIABLES.includes(name) && !CLI_ONLY.includes(name))).toEqual([]);
  });
});
