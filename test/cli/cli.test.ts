import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { runCli } from '../../src/cli/ocpi-hub-cli';
import { startTestHub, type TestHub } from '../support/test-hub';

async function cli(hub: TestHub, ...argv: string[]) {
  let out = '';
  let err = '';
  const code = await runCli([...argv, '--hub', hub.url], {
    out: (t) => (out += t),
    err: (t) => (err += t),
    env: { ADMIN_API_KEY: hub.adminKey },
  });
  return { code, out, err, json: () => JSON.parse(out) };
}

describe('ocpi-hub CLI', () => {
  let hub: TestHub;
  beforeAll(async () => {
    hub = await startTestHub();
  });
  afterAll(() => hub.close());

  it('adds, lists, shows, suspends, resumes, re-issues token A and deletes parties', async () => {
    const added = await cli(hub, 'party', 'add', '--country', 'nl', '--party', 'cli', '--roles', 'emsp,cpo', '--name', 'CLI Party');
    expect(added.code).toBe(0);
    const { id, token_a, versions_url } = added.json();
    expect(token_a).toEqual(expect.any(String));
    expect(versions_url).toBe(hub.versionsUrl);
    expect(added.json().party.roles.map((r: { role: string }) => r.role).sort()).toEqual(['CPO', 'EMSP']);

    expect((await cli(hub, 'party', 'list')).json().map((p: { id: string }) => p.id)).toContain(id);
    expect((await cli(hub, 'party', 'show', id)).json().party_id).toBe('CLI');
    expect((await cli(hub, 'party', 'suspend', id)).json().status).toBe('SUSPENDED');
    expect((await cli(hub, 'party', 'resume', id)).json().status).toBe('PLANNED');
    expect((await cli(hub, 'party', 'token-a', id)).json().token_a).not.toBe(token_a);
    expect((await cli(hub, 'party', 'delete', id)).code).toBe(0);
    const gone = await cli(hub, 'party', 'show', id);
    expect(gone.code).toBe(1);
    expect(gone.err).toMatch(/Error 404/);
  });

  it('sets the time zone of a 2.1.1 CPO’s locations at onboarding and later, and clears it', async () => {
    const added = await cli(hub, 'party', 'add', '--country', 'nl', '--party', 'z21', '--roles', 'cpo', '--name', 'Z21', '--time-zone', 'Europe/Amsterdam');
    expect(added.json().party.time_zone).toBe('Europe/Amsterdam');
    const { id } = added.json();
    expect((await cli(hub, 'party', 'time-zone', id, '--time-zone', 'Europe/Brussels')).json().time_zone).toBe('Europe/Brussels');
    expect((await cli(hub, 'party', 'time-zone', id, '--time-zone', 'none')).json().time_zone).toBeNull();
    const bad = await cli(hub, 'party', 'time-zone', id, '--time-zone', 'Nowhere/City');
    expect(bad.code).toBe(1);
    expect(bad.err).toMatch(/IANA time zone/);
    await cli(hub, 'party', 'delete', id);
  });

  it('explains usage errors with exit code 2', async () => {
    const missing = await cli(hub, 'party', 'add', '--country', 'NL');
    expect(missing.code).toBe(2);
    expect(missing.err).toMatch(/Missing --party/);
    expect((await cli(hub, 'party', 'explode')).code).toBe(2);
    expect((await cli(hub, 'bogus')).code).toBe(2);
    const help = await cli(hub, '--help');
    expect(help.code).toBe(0);
    expect(help.out).toMatch(/ocpi-hub party add/);
  });

  it('runs as the package bin (npx ocpi-hub)', async () => {
    const bin = path.join(__dirname, '../../bin/ocpi-hub.js');
    const { stdout } = await promisify(execFile)(process.execPath, [bin, 'party', 'list', '--hub', hub.url], {
      env: { ...process.env, ADMIN_API_KEY: hub.adminKey },
    });
    expect(Array.isArray(JSON.parse(stdout))).toBe(true);
  });
});
