import { generateChargerPassword, hashChargerPassword, UNMATCHABLE_PASSWORD_HASH, verifyChargerPassword } from '../../src/ocpp/charger-passwords';
import { CHARGER_PASSWORD } from '../../src/ocpp/chargers.service';

describe('charger passwords', () => {
  it('are stored as salted scrypt hashes that verify only the same password', async () => {
    const [a, b] = await Promise.all([hashChargerPassword('the-same-password-1'), hashChargerPassword('the-same-password-1')]);
    expect(a).toMatch(/^scrypt\$16384\$8\$1\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/);
    expect(a).not.toBe(b); // a salt per charger
    expect(await verifyChargerPassword('the-same-password-1', a)).toBe(true);
    expect(await verifyChargerPassword(Buffer.from('the-same-password-1'), b)).toBe(true);
    expect(await verifyChargerPassword('the-same-password-2', a)).toBe(false);
    expect(await verifyChargerPassword('the-same-password-1', 'sha1$whatever')).toBe(false);
  });

  it('can be binary, as OCPP allows', async () => {
    const key = Buffer.from([0, 1, 2, 250, 251, 252, 253, 254, 255, 3, 4, 5, 6, 7, 8, 9]);
    expect(await verifyChargerPassword(key, await hashChargerPassword(key))).toBe(true);
  });

  it('are generated as 40 hexadecimal characters, which both protocols accept', () => {
    const password = generateChargerPassword();
    expect(password).toMatch(/^[0-9a-f]{40}$/);
    expect(password).toMatch(CHARGER_PASSWORD);
    expect(generateChargerPassword()).not.toBe(password);
  });

  it('never match the hash used for unknown chargers', async () => {
    expect(await verifyChargerPassword('', UNMATCHABLE_PASSWORD_HASH)).toBe(false);
    expect(await verifyChargerPassword(generateChargerPassword(), UNMATCHABLE_PASSWORD_HASH)).toBe(false);
  });
});
