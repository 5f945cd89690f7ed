import type { Context } from 'koa';
import type { ListQuery, ObjectStore, StoredObject } from '../routing/object-store';
import type { HubRouter } from '../routing/router';
import { respond, respondJoinedData } from '../ocpi/envelope';
import { HUB_FORM_VERSION } from '../../core/ocpi-versions/ocpi-versions';
import { ocpiErrors } from '../ocpi/ocpi-errors';
import { readPageRequest, setPageHeaders } from '../ocpi/pagination';
import { DOT_SEGMENT_MESSAGE, isDotSegment } from '../ocpi/ocpi-types';
import type { PartyAddress, RoleAddress } from '../ocpi/party-address';
import { answerOf } from '../transport/version-edge';

/** Helpers shared by the modules whose objects are owned by a client (locations, tariffs, sessions, CDRs, tokens). */

/** A URL segment naming an object: a CiString of at most `max` printable characters. */
export function idParam(value: string | undefined, name: string, max = 36): string {
  if (!value || value.length > max || !/^[\x21-\x7e]+$/.test(value)) {
    throw ocpiErrors.invalidParameters(`${name} must be 1 to ${max} printable characters`);
  }
  if (isDotSegment(value)) throw ocpiErrors.invalidParameters(`${name} ${DOT_SEGMENT_MESSAGE}`);
  return value;
}

/**
 * The ids in a pushed object must be those of its URL (transport_and_format.asciidoc, client-owned
 * object push, Errors: 2001). CiStrings compare case-insensitively.
 */
export function requireSameIds(body: Record<string, unknown>, expected: Record<string, string | undefined>): void {
  for (const [field, value] of Object.entries(expected)) {
    if (value === undefined || body[field] === undefined) continue;
    if (String(body[field]).toUpperCase() !== value.toUpperCase()) {
      throw ocpiErrors.invalidParameters(`${field} ${JSON.stringify(body[field])} in the body differs from ${JSON.stringify(value)} in the URL`);
    }
  }
}

/** Answers a push: 201 when the object is new, 200 when it replaced one (status_codes.asciidoc). */
export function respondStored(ctx: Context, outcome: 'created' | 'updated'): void {
  respond(ctx, undefined, outcome === 'created' ? 201 : 200);
}

/** A National Access Point reads only published Locations (AFIR Art. 20; agreements.ts LOCATION_READERS). */
export const actsAsNap = (roles: RoleAddress[]) => roles.some((r) => r.role === 'NAP');

/**
 * GET-all through the hub: the objects of every counterpart the caller's roles have agreements with,
 * merged, oldest first, paginated (transport_and_format.asciidoc, GET All via Hubs). With
 * `ownTokensOnly` (sessions, CDRs) only objects carrying a token the caller's role issued, at the CPOs
 * that role has an agreement with; X-Total-Count then counts only what the caller may see.
 */
export async function respondMergedList(
  ctx: Context,
  deps: { store: ObjectStore; router: HubRouter; publicUrl: string },
  module: string,
  roles: RoleAddress[],
  maxLimit: number,
  {
    ownTokensOnly = false,
    publishedOnly = false,
    excludedIds,
    view,
    asStoredText,
  }: {
    ownTokensOnly?: boolean;
    publishedOnly?: boolean;
    /** Objects the caller may not see, left out in the query so the page and its total agree. */
    excludedIds?: (owners: PartyAddress[]) => Promise<ListQuery['excludedIds']>;
    /** Each object as the caller gets it. */
    view?: (object: StoredObject) => Promise<StoredObject>;
    /**
     * Whether the page of these owners may be answered as the stored JSON text (`view` leaves their
     * objects as stored). Only on the hub form's routes: another version's answer is translated.
     */
    asStoredText?: (owners: PartyAddress[]) => Promise<boolean>;
  } = {},
): Promise<void> {
  const page = readPageRequest(ctx, maxLimit);
  const pairs = (
    await Promise.all(roles.map(async (role) => (await deps.router.counterparts(role)).map((owner) => ({ owner, issuer: role }))))
  ).flat();
  const owners = pairs.map((p) => p.owner);
  const query = {
    module,
    owners,
    issuedTo: ownTokensOnly ? pairs : undefined,
    publishedOnly,
    excludedIds: excludedIds && (await excludedIds(owners)),
    ...page,
  };
  const routeVersion = ctx.state.routeVersion;
  if (asStoredText && routeVersion === HUB_FORM_VERSION && (await asStoredText(owners))) {
    const { joined, total } = await deps.store.listTexts(query, routeVersion);
    setPageHeaders(ctx, deps.publicUrl, page, total);
    respondJoinedData(ctx, joined);
    return;
  }
  const { items, total } = await deps.store.list(query);
  const shown = view ? await Promise.all(items.map(view)) : items;
  setPageHeaders(ctx, deps.publicUrl, page, total);
  respond(
    ctx,
    shown.map((o: StoredObject) => answerOf(ctx, o)),
  );
}
