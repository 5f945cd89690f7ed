import type { DataSource } from 'typeorm';
import type { RoleAddress } from '../../hub/ocpi/party-address';

/**
 * The CPO the hub's own charge points are published as. It is a party like any partner (a row in
 * `parties` with a CPO role, marked `own`), so roaming agreements decide which eMSPs see its
 * locations, sessions and CDRs, and the module services serve it like any CPO. It never registers
 * over OCPI: the hub speaks for it in-process.
 */
export async function ensureOwnCpo(db: DataSource, own: { countryCode: string; partyId: string; name: string }): Promise<RoleAddress> {
  await db.transaction(async (tx) => {
    const rows: { id: string; own: boolean }[] = await tx.query(
      `INSERT INTO parties (name, country_code, party_id, own) VALUES ($1, $2, $3, true)
       ON CONFLICT (country_code, party_id) DO UPDATE SET own = parties.own
       RETURNING id, own`,
      [own.name, own.countryCode, own.partyId],
    );
    if (!rows[0].own) {
      throw new Error(
        `The own CPO ${own.countryCode}/${own.partyId} is already a partner party; set OWN_CPO_COUNTRY_CODE/OWN_CPO_PARTY_ID to another address`,
      );
    }
    await tx.query(
      `INSERT INTO party_roles (party_uuid, role, country_code, party_id) VALUES ($1, 'CPO', $2, $3)
       ON CONFLICT (role, country_code, party_id) DO NOTHING`,
      [rows[0].id, own.countryCode, own.partyId],
    );
  });
  return { countryCode: own.countryCode, partyId: own.partyId, role: 'CPO' };
}
