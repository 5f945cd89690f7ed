// The CLI finds the hub and its key by the hub's own configuration (PORT, HOST, DATA_DIR), read by
// src/config.ts's rules, when neither --hub nor OCPI_HUB_URL says otherwise.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runCli } from '../../src/cli/ocpi-hub-cli';
import { cliDefaults } from '../../src/foundation/config';
import { startTestHub, type TestHub } from '../support/test-hub';

async function cli(env: NodeJS.ProcessEnv, ...argv: string[]) {
  let out = '';
  let err = '';
  const code = await runCli(argv, { out: (t) => (out += t), err: (t) => (err += t), env });
  return { code, out, err };
}

describe('the CLI defaults', () => {
  let hub: TestHub;
  beforeAll(async () => {
    hub = await startTestHub();
  });
  afterAll(() => hub.close());

  it('reach the hub at PORT with the key kept in DATA_DIR', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'ocpi-hub-cli-'));
    writeFileSync(path.join(dataDir, 'admin-api-key'), `${hub.adminKey}\n`);
    const port = new URL(hub.url).port;
    const listed = await cli({ PORT: port, DATA_DIR: dataDir }, 'party', 'list');
    expect(listed.err).toBe('');
    expect(listed.code).toBe(0);
    expect(Array.isArray(JSON.parse(listed.out))).toBe(true);
  });

  it('refuse a PORT the hub would refuse, naming it, and call nothing', async () => {
    const refused = await cli({ PORT: 'eighty', ADMIN_API_KEY: hub.adminKey }, 'party', 'list');
    expect(refused.code).toBe(2);
    expect(refused.err).toMatch(/^Invalid configuration: PORT: /);
  });

  it('are the hub\'s own: 127.0.0.1:8080 and ./data unless set, loopback for a wildcard HOST', () => {
    expect(cliDefaults({})).toEqual({ hubUrl: 'http://127.0.0.1:8080', dataDir: path.resolve('./data') });
    expect(cliDefaults({ HOST: '0.0.0.0', PORT: '9000' }).hubUrl).toBe('http://127.0.0.1:9000');
    expect(cliDefaults({ HOST: '::', PORT: '9000' }).hubUrl).toBe('http://[::1]:9000');
  });
});
