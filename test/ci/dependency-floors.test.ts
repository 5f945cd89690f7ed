// The floors of src/ (.ci/dependency-floors.cjs, docs/architecture.md): imports only go down, no two
// folders import each other, the own CPO reaches the hub through module services, core/ does no I/O.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const ROOT = path.join(__dirname, '../..');
const CONFIG = path.join(ROOT, '.ci/dependency-floors.cjs');
const CRUISER = path.join(ROOT, 'node_modules/dependency-cruiser/bin/dependency-cruise.mjs');

function cruise(cwd: string): { status: number | null; output: string } {
  const run = spawnSync(process.execPath, [CRUISER, '--config', CONFIG, '--output-type', 'err', 'src'], { cwd, encoding: 'utf8' });
  return { status: run.status, output: `${run.stdout}${run.stderr}` };
}

describe('the dependency floors of src/', () => {
  it('hold for the whole tree', () => {
    const { status, output } = cruise(ROOT);
    expect(output).toContain('no dependency violations found');
    expect(status).toBe(0);
  }, 60_000);

  describe('bite on a tree that breaks them', () => {
    let dir: string;
    beforeAll(() => {
      dir = mkdtempSync(path.join(os.tmpdir(), 'floors-'));
      const write = (file: string, text: string) => {
        mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
        writeFileSync(path.join(dir, file), text);
      };
      write('tsconfig.json', JSON.stringify({ compilerOptions: { module: 'commonjs', strict: true } }));
      write('src/foundation/config.ts', "export const port = 1;\n");
      write('src/core/pricing/price.ts', "import { port } from '../../foundation/config';\nexport const p = port;\n");
      write('src/hub/routing/router.ts', "import { b } from '../outbound/client';\nexport const a = 1 + b;\n");
      write('src/hub/outbound/client.ts', "import { a } from '../routing/router';\nexport const b = 2;\nexport const c = () => a;\n");
      write('src/own-cpo/charging/stop.ts', "import { a } from '../../hub/routing/router';\nexport const s = a;\n");
      write('src/core/io.ts', "import { readFileSync } from 'node:fs';\nexport const r = readFileSync;\n");
    });
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it('names every broken rule and fails', () => {
      const { status, output } = cruise(dir);
      expect(status).not.toBe(0);
      expect(output).toMatch(/floor-0-imports-up: src\/core\/pricing\/price\.ts → src\/foundation\/config\.ts/);
      expect(output).toMatch(/floor-5-imports-up: src\/hub\/outbound\/client\.ts → src\/hub\/routing\/router\.ts/);
      expect(output).toContain('no-folder-cycles');
      expect(output).toContain('no-file-cycles');
      expect(output).toMatch(/own-cpo-through-module-services: src\/own-cpo\/charging\/stop\.ts/);
      expect(output).toMatch(/core-is-pure: src\/core\/io\.ts → (node:)?fs/);
    }, 60_000);
  });
});
