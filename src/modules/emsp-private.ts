import type { Context } from 'koa';
import type { DataSource } from 'typeorm';
import { EMSP_SIDE, type RoutedRole } from '../hub/agreements';
import type { HubRouter, RoleAddress } from '../hub/router';
import { respond } from '../transport/envelope';
import { type Page, type PageRequest, readPageRequest, setPageHeaders } from '../transport/pagination';
import type { PartyAddress } from '../transport/routing-headers';

/**
 * Sessions and CDRs belong to one eMSP: the one whose token started the session. They are "specific
 * to only one party and are possibly even protected by GDPR" (transport_and_format.asciidoc,
 * Broadcast Push), so the hub sends each to one receiver only and shows each eMSP only its own.
 * Shared by the sessions and cdrs modules.
 */

/** The issuer fields of a CdrToken. */
export interface TokenIssuer {
  country_code: string;
  party_id: string;
}

const issuerOf = (token: TokenIssuer): PartyAddress => ({ countryCode: token.country_code.toUpperCase(), partyId: token.party_id.toUpperCase() });

export function issuedBy(token: TokenIssuer, party: PartyAddress): boolean {
  const issuer = issuerOf(token);
  return issuer.countryCode === party.countryCode && issuer.partyId === party.partyId;
}

/**
 * The one receiver of a session or CDR: the party named in OCPI-to-* (direct), otherwise the eMSP
 * that issued the token (open routing). Never a broadcast: OCPI-to naming the hub is read as open
 * routing. 4001 when the receiver is not a counterpart of the CPO (no agreement, not connected).
 */
export function receiverOf(router: HubRouter, owner: RoleAddress, to: PartyAddress | undefined, token: TokenIssuer): Promise<RoutedRole> {
  return router.counterpart(owner, to && !router.isHub(to) ? to : issuerOf(token), EMSP_SIDE);
}

/** A CPO whose objects an eMSP-side role may read, and that role: only objects with its token. */
interface Reader {
  cpo: PartyAddress;
  emsp: PartyAddress;
}

async function readersOf(router: HubRouter, roles: RoleAddress[]): Promise<Reader[]> {
  const perRole = await Promise.all(roles.map(async (emsp) => (await router.counterparts(emsp)).map((cpo) => ({ cpo, emsp }))));
  return perRole.flat();
}

/** Objects of `module` of the readers' CPOs whose cdr_token the reader issued; oldest first, paginated. */
async function listIssuedTo(db: DataSource, module: string, readers: Reader[], page: PageRequest): Promise<Page<Record<string, unknown>>> {
  if (readers.length === 0) return { items: [], total: 0 };
  const params: unknown[] = [
    module,
    readers.map((r) => r.cpo.countryCode),
    readers.map((r) => r.cpo.partyId),
    readers.map((r) => r.emsp.countryCode),
    readers.map((r) => r.emsp.partyId),
  ];
  let where = `module = $1 AND (country_code, party_id, upper(data->'cdr_token'->>'country_code'), upper(data->'cdr_token'->>'party_id'))
               IN (SELECT * FROM unnest($2::text[], $3::text[], $4::text[], $5::text[]))`;
  if (page.dateFrom) {
    params.push(page.dateFrom);
    where += ` AND last_updated >= $${params.length}`;
  }
  if (page.dateTo) {
    params.push(page.dateTo);
    where += ` AND last_updated < $${params.length}`;
  }
  const [{ total }] = await db.query(`SELECT count(*)::int AS total FROM ocpi_objects WHERE ${where}`, params);
  const rows: { data: Record<string, unknown> }[] = await db.query(
    `SELECT data FROM ocpi_objects WHERE ${where} ORDER BY last_updated, seq OFFSET $${params.length + 1} LIMIT $${params.length + 2}`,
    [...params, page.offset, page.limit],
  );
  return { items: rows.map((r) => r.data), total };
}

/**
 * GET-all through the hub for sessions and CDRs: like the merged list of client-owned objects, but
 * only the caller's own (its token), from the CPOs it has agreements with. X-Total-Count counts
 * only what the caller may see.
 */
export async function respondIssuedList(
  ctx: Context,
  deps: { db: DataSource; router: HubRouter; publicUrl: string },
  module: string,
  roles: RoleAddress[],
  maxLimit: number,
): Promise<void> {
  const page = readPageRequest(ctx, maxLimit);
  const { items, total } = await listIssuedTo(deps.db, module, await readersOf(deps.router, roles), page);
  setPageHeaders(ctx, deps.publicUrl, page, total);
  respond(ctx, items);
}
