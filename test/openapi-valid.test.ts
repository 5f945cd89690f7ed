// /openapi.json is checked by a real OpenAPI 3.1 validator (@seriousme/openapi-schema-validator, the
// specification's JSON Schemas), run in a child process because the package is an ES module.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { startTestHub, type TestHub } from './support/test-hub';

const VALIDATE = `
import { Validator } from '@seriousme/openapi-schema-validator';
let text = '';
for await (const chunk of process.stdin) text += chunk;
const validator = new Validator();
const result = await validator.validate(JSON.parse(text));
process.stdout.write(JSON.stringify({ version: validator.version, valid: result.valid, errors: result.errors ?? [] }));
`;

function validate(document: unknown): { version: string; valid: boolean; errors: unknown[] } {
  const run = spawnSync(process.execPath, ['--input-type=module', '-e', VALIDATE], {
    cwd: path.join(__dirname, '..'),
    input: JSON.stringify(document),
    encoding: 'utf8',
  });
  if (run.status !== 0) throw new Error(`the validator did not run: ${run.stderr}`);
  return JSON.parse(run.stdout);
}

describe('/openapi.json', () => {
  let hub: TestHub;
  beforeAll(async () => {
    hub = await startTestHub({ env: { PUBLIC_URL: 'https://hub.example.com/' } });
  });
  afterAll(() => hub.close());

  it('is valid OpenAPI 3.1 and names the hub at PUBLIC_URL as its server', async () => {
    const document = (await hub.admin.get('/openapi.json')).data;
    expect(document.servers).toEqual([{ url: 'https://hub.example.com' }]);
    expect(validate(document)).toEqual({ version: '3.1', valid: true, errors: [] });
  });

  it('the validator refuses a document with a bogus key (as the split description made)', async () => {
    const document = (await hub.admin.get('/openapi.json')).data;
    const responses = document.paths['/ocpp/{chargePointId}'].get.responses;
    responses['400'] = { description: 'No supported subprotocol offered', 'or not a WebSocket upgrade.': null };
    const result = validate(document);
    expect(result.valid).toBe(false);
    expect(result.errors.length).toBeGreaterThan(0);
  });
});
