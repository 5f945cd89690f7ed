// /openapi.json is checked by a real OpenAPI 3.1 validator (@seriousme/openapi-schema-validator, the
// specification's JSON Schemas), run in a child process because the package is an ES module.
import { spawn } from 'node:child_process';
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

/** Runs the validator in a child (asynchronously: the hub under test shares this event loop). */
function validate(document: unknown): Promise<{ version: string; valid: boolean; errors: unknown[] }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', VALIDATE], { cwd: path.join(__dirname, '..') });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk));
    child.stderr.on('data', (chunk: Buffer) => (err += chunk));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`the validator did not run: ${err}`))));
    child.stdin.end(JSON.stringify(document));
  });
}

describe('/openapi.json', () => {
  let hub: TestHub;
  let served: { status: number; data: Record<string, any> };
  beforeAll(async () => {
    hub = await startTestHub({ env: { PUBLIC_URL: 'https://hub.example.com/' } });
    served = await hub.admin.get('/openapi.json');
  });
  afterAll(() => hub.close());

  it('is valid OpenAPI 3.1 and names the hub at PUBLIC_URL as its server', async () => {
    expect(served.status).toBe(200);
    expect(served.data.servers).toEqual([{ url: 'https://hub.example.com' }]);
    expect(await validate(served.data)).toEqual({ version: '3.1', valid: true, errors: [] });
  });

  it('the validator refuses a document with a bogus key (as the split description made)', async () => {
    const document = structuredClone(served.data);
    const responses = document.paths['/ocpp/{chargePointId}'].get.responses;
    responses['400'] = { description: 'No supported subprotocol offered', 'or not a WebSocket upgrade.': null };
    const result = await validate(document);
    expect(result.valid).toBe(false);
    expect(result.errors.length).toBeGreaterThan(0);
  });
});
