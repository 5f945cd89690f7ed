import axios from 'axios';
import { createHash } from 'node:crypto';
import { runCli } from '../../../src/cli/ocpi-hub-cli';
import { startOwnNetwork, type OwnNetwork } from '../../support/own-network';

/**
 * Fleets booking at the own CPO with a fleet key, over real HTTP on a real database: keys issued
 * (shown once, stored hashed), listed and revoked; the /admin/bookings routes for a fleet's own
 * tokens only (refusals store nothing), isolation between two fleets, the admin key unchanged and
 * no other admin route opened by a fleet key.
 */
describe('bookings by a fleet with a fleet key', () => {
  let net: OwnNetwork;
  let keyA: string;
  let keyB: string;
  const as = (key: string) => axios.create({ baseURL: net.hub.url, headers: { Authorization: `Bearer ${key}` }, validateStatus: () => true });
  const window = (day: string) => ({ location_id: 'SITE1', from: `2030-07-${day}T08:00:00Z`, until: `2030-07-${day}T09:00:00Z`, power_kw: 7 });
  const stored = async () => (await net.hub.services.db.query(`SELECT id FROM own_bookings ORDER BY id`)).map((r: { id: string }) => r.id);

  beforeAll(async () => {
    net = await startOwnNetwork({ emsps: [], evses: ['E1', 'E2'] });
    expect((await net.hub.admin.put('/admin/fleets/ACME', { name: 'ACME vans', tokens: ['ACME-1', 'ACME-2'] })).status).toBe(201);
    expect((await net.hub.admin.put('/admin/fleets/BETA', { name: 'Beta taxis', tokens: ['BETA-1'] })).status).toBe(201);
    const a = await net.hub.admin.post('/admin/fleets/ACME/keys', { label: 'ACME dispatch' });
    const b = await net.hub.admin.post('/admin/fleets/BETA/keys', { label: 'Beta app' });
    expect([a.status, b.status]).toEqual([201, 201]);
    keyA = a.data.key;
    keyB = b.data.key;
  });
  afterAll(() => net.close());

  it('issues a key once, stores only its hash, lists it without the key, and edits the fleet', async () => {
    expect(keyA).toMatch(/^flt_[A-Za-z0-9_-]{32}$/);
    const [row] = await net.hub.services.db.query(`SELECT key_hash FROM fleet_keys WHERE fleet_id = 'ACME'`);
    expect(row.key_hash).toBe(createHash('sha256').update(keyA).digest('hex'));
    const listed = await net.hub.admin.get('/admin/fleets/ACME/keys');
    expect(listed.status).toBe(200);
    expect(listed.data).toEqual([expect.objectContaining({ fleet_id: 'ACME', label: 'ACME dispatch', revoked_at: null })]);
    expect(JSON.stringify(listed.data)).not.toContain(keyA);
    const edited = await net.hub.admin.put('/admin/fleets/ACME', { name: 'ACME vans', tokens: ['ACME-2', 'ACME-1', 'ACME-1'] });
    expect(edited.status).toBe(200);
    expect(edited.data).toMatchObject({ id: 'ACME', tokens: ['ACME-1', 'ACME-2'] });
    expect((await net.hub.admin.get('/admin/fleets')).data.map((f: { id: string }) => f.id)).toEqual(['ACME', 'BETA']);
    expect((await net.hub.admin.post('/admin/fleets/NOPE/keys', { label: 'x' })).status).toBe(404);
    expect((await net.hub.admin.put('/admin/fleets/ACME', { name: '', tokens: 'ACME-1' })).status).toBe(400);
    const shared = await net.hub.admin.put('/admin/fleets/ACME', { name: 'ACME vans', tokens: ['ACME-1', 'BETA-1'] });
    expect(shared.status).toBe(409);
    expect(shared.data.error.message).toBe('Token(s) BETA-1 belong to fleet BETA');
    expect((await net.hub.admin.get('/admin/fleets/ACME')).data.tokens).toEqual(['ACME-1', 'ACME-2']);
  });

  it('books for its own token, recording the fleet as the requester; the admin sees it', async () => {
    const booked = await as(keyA).post('/admin/bookings', { id: 'FLT-A1', ...window('01'), id_token: 'ACME-1' });
    expect(booked.status).toBe(201);
    expect(booked.data).toMatchObject({ id: 'FLT-A1', status: 'RESERVED', id_token: 'ACME-1', requester: { fleet_id: 'ACME' } });
    expect(booked.data.requester.operator).toBeUndefined();
    expect((await net.hub.admin.get('/admin/bookings/FLT-A1')).data).toMatchObject({ id: 'FLT-A1', requester: { fleet_id: 'ACME' } });
    const free = await as(keyA).get('/admin/bookings/availability?location=SITE1&from=2030-07-01T00:00:00Z&to=2030-07-02T00:00:00Z');
    expect(free.status).toBe(200);
    expect(free.data.location_id).toBe('SITE1');
  });

  it('refuses another fleet\'s token (403), no token or a bad body (400), a wrong or missing key (401), storing nothing', async () => {
    const before = await stored();
    const other = await as(keyA).post('/admin/bookings', { ...window('02'), id_token: 'BETA-1' });
    expect(other.status).toBe(403);
    expect(other.data.error.message).toMatch(/BETA-1 is not a token of fleet ACME/);
    const noToken = await as(keyA).post('/admin/bookings', window('02'));
    expect(noToken.status).toBe(400);
    expect(noToken.data.error.message).toMatch(/id_token/);
    const bad = await as(keyA).post('/admin/bookings', { ...window('02'), power_kw: 'lots', id_token: 'ACME-1' });
    expect(bad.status).toBe(400);
    const wrong = await as('flt_notakeyatallnotakeyatallnotakeyat').post('/admin/bookings', { ...window('02'), id_token: 'ACME-1' });
    expect(wrong.status).toBe(401);
    expect(wrong.data.error.code).toBe('unauthorized');
    expect((await axios.post(`${net.hub.url}/admin/bookings`, { ...window('02'), id_token: 'ACME-1' }, { validateStatus: () => true })).status).toBe(401);
    expect(await stored()).toEqual(before);
  });

  it('lists, gets and cancels only its own tokens\' bookings; another fleet\'s is a 404; the admin still sees all', async () => {
    expect((await as(keyB).post('/admin/bookings', { id: 'FLT-B1', ...window('03'), id_token: 'BETA-1' })).status).toBe(201);
    expect((await net.hub.admin.post('/admin/bookings', { id: 'OP-1', ...window('04') })).status).toBe(201);
    expect((await as(keyA).get('/admin/bookings')).data.map((b: { id: string }) => b.id)).toEqual(['FLT-A1']);
    expect((await as(keyB).get('/admin/bookings')).data.map((b: { id: string }) => b.id)).toEqual(['FLT-B1']);
    expect((await net.hub.admin.get('/admin/bookings')).data.map((b: { id: string }) => b.id)).toEqual(['FLT-A1', 'FLT-B1', 'OP-1']);
    expect((await as(keyA).get('/admin/bookings/FLT-B1')).status).toBe(404);
    expect((await as(keyA).get('/admin/bookings/OP-1')).status).toBe(404);
    const cancelOther = await as(keyA).delete('/admin/bookings/FLT-B1');
    expect(cancelOther.status).toBe(404);
    expect((await net.hub.admin.get('/admin/bookings/FLT-B1')).data.status).toBe('RESERVED');
    const cancelled = await as(keyB).delete('/admin/bookings/FLT-B1');
    expect(cancelled.status).toBe(200);
    expect(cancelled.data.status).toBe('CANCELED');
  });

  it('opens no other admin route with a fleet key', async () => {
    expect((await as(keyA).get('/admin/fleets')).status).toBe(401);
    expect((await as(keyA).post('/admin/fleets/ACME/keys', { label: 'mine' })).status).toBe(401);
    expect((await as(keyA).get('/admin/chargers')).status).toBe(401);
    expect((await as(keyA).get('/admin/parties')).status).toBe(401);
  });

  it('refuses a revoked key at once (401); the revoked key stays listed', async () => {
    const [key] = (await net.hub.admin.get('/admin/fleets/BETA/keys')).data;
    const revoked = await net.hub.admin.post(`/admin/fleets/BETA/keys/${key.id}/revoke`);
    expect(revoked.status).toBe(200);
    expect(revoked.data.revoked_at).not.toBeNull();
    const before = await stored();
    expect((await as(keyB).post('/admin/bookings', { ...window('05'), id_token: 'BETA-1' })).status).toBe(401);
    expect((await as(keyB).get('/admin/bookings')).status).toBe(401);
    expect(await stored()).toEqual(before);
    expect((await net.hub.admin.get('/admin/fleets/BETA/keys')).data).toEqual([expect.objectContaining({ id: key.id, revoked_at: expect.any(String) })]);
    expect((await net.hub.admin.post(`/admin/fleets/ACME/keys/${key.id}/revoke`)).status).toBe(404);
    // The other fleet's key still works.
    expect((await as(keyA).get('/admin/bookings')).status).toBe(200);
  });
  it('the CLI keeps fleets and their keys; the booking commands work with a fleet key as --admin-key', async () => {
    const cli = async (...argv: string[]) => {
      let out = '';
      let err = '';
      const code = await runCli([...argv, '--hub', net.hub.url], { out: (t) => (out += t), err: (t) => (err += t), env: { ADMIN_API_KEY: net.hub.adminKey } });
      return { code, out, err };
    };
    const put = await cli('fleet', 'put', 'GAMMA', '--name', 'Gamma buses', '--tokens', 'GAM-1, GAM-2');
    expect(put.code).toBe(0);
    expect(JSON.parse(put.out)).toMatchObject({ id: 'GAMMA', name: 'Gamma buses', tokens: ['GAM-1', 'GAM-2'] });
    expect(JSON.parse((await cli('fleet', 'show', 'GAMMA')).out).tokens).toEqual(['GAM-1', 'GAM-2']);
    const issued = await cli('fleet', 'key-add', 'GAMMA', '--label', 'depot');
    expect(issued.code).toBe(0);
    const { key, id } = JSON.parse(issued.out);
    expect(key).toMatch(/^flt_/);
    const booked = await cli('booking', 'add', '--admin-key', key, '--location', 'SITE1', '--id-token', 'GAM-1', '--from', '2030-07-06T08:00:00Z', '--until', '2030-07-06T09:00:00Z', '--power-kw', '7');
    expect(booked.code).toBe(0);
    expect(JSON.parse(booked.out)).toMatchObject({ id_token: 'GAM-1', requester: { fleet_id: 'GAMMA' } });
    const listed = await cli('booking', 'list', '--admin-key', key);
    expect(JSON.parse(listed.out).map((b: { id_token: string }) => b.id_token)).toEqual(['GAM-1']);
    expect(await cli('booking', 'add', '--admin-key', key, '--location', 'SITE1', '--id-token', 'ACME-1', '--from', '2030-07-06T10:00:00Z', '--until', '2030-07-06T11:00:00Z', '--power-kw', '7')).toMatchObject({
      code: 1,
      err: expect.stringContaining('not a token of fleet GAMMA'),
    });
    expect((await cli('fleet', 'list', '--admin-key', key)).code).toBe(1);
    expect(JSON.parse((await cli('fleet', 'key-revoke', 'GAMMA', id)).out).revoked_at).not.toBeNull();
    expect(JSON.parse((await cli('fleet', 'keys', 'GAMMA')).out)).toEqual([expect.objectContaining({ id, revoked_at: expect.any(String) })]);
    expect(await cli('booking', 'list', '--admin-key', key)).toMatchObject({ code: 1, err: expect.stringContaining('Error 401') });
    expect((await cli('fleet', 'put', 'GAMMA', '--tokens', 'X')).code).toBe(2);
  });
});
