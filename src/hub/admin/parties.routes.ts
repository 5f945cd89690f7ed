import Router from '@koa/router';
import { z } from 'zod';
import { type Party, ROLES } from '../../db/entities';
import type { Outbox, PartyBacklog } from '../routing/outbox';
import { connectionStatus, partnerHealthView, type PartyRegistry } from '../routing/parties';
import type { CredentialsService } from '../modules/credentials/credentials.service';
import { versionsUrl } from '../modules/versions/hub-versions';
import { parseAdminBody, uuidParam } from '../../http/admin-http';
import { isValidTimeZone } from '../../core/pricing/local-time';

const CountryCode = z.string().regex(/^[A-Za-z]{2}$/, 'must be 2 letters').transform((v) => v.toUpperCase());
const PartyId = z.string().regex(/^[A-Za-z0-9]{3}$/, 'must be 3 letters or digits').transform((v) => v.toUpperCase());
const PartnerRole = z.enum(ROLES).refine((role) => role !== 'HUB', 'a partner cannot hold the HUB role');

const TimeZone = z.string().refine(isValidTimeZone, 'must be an IANA time zone such as Europe/Amsterdam');

const NewPartyBody = z.strictObject({
  country_code: CountryCode,
  party_id: PartyId,
  name: z.string().trim().min(1).max(100),
  /** Roles under the party's own country code and party id, or with their own (a platform serving several parties). */
  roles: z
    .array(z.union([PartnerRole, z.strictObject({ role: PartnerRole, country_code: CountryCode, party_id: PartyId })]))
    .min(1, 'list at least one role')
    .max(50),
  /** The zone of a 2.1.1 CPO's locations that give no time_zone (2.1.1 does not require one; 2.2.1 does). */
  time_zone: TimeZone.optional(),
});

const ConnectBody = z.strictObject({
  versions_url: z.url({ protocol: /^https?$/ }),
  token: z.string().regex(/^[\x21-\x7e]{1,64}$/, 'must be 1 to 64 printable ASCII characters'),
});

const TimeZoneBody = z.strictObject({ time_zone: TimeZone.nullable() });

const LossesQuery = z.strictObject({ limit: z.coerce.number().int().min(1).max(1000).default(100) });

/** What the operator sees of a party. Tokens are never shown, except token A once when it is issued. */
export function partyView(party: Party, backlog?: PartyBacklog) {
  return {
    id: party.id,
    name: party.name,
    country_code: party.countryCode,
    party_id: party.partyId,
    status: connectionStatus(party),
    health: partnerHealthView(party),
    roles: (party.roles ?? []).map((r) => ({
      role: r.role,
      country_code: r.countryCode,
      party_id: r.partyId,
      business_details: r.businessDetails,
    })),
    partner_versions_url: party.versionsUrl,
    version: party.version,
    time_zone: party.timeZone,
    token_encoding: party.tokenEncoding,
    endpoints: party.endpoints,
    registered_at: party.registeredAt,
    suspended_at: party.suspendedAt,
    last_seen_at: party.lastSeenAt,
    status_changed_at: party.statusChangedAt,
    created_at: party.createdAt,
    outbox: { pending: backlog?.pending ?? 0, failed: backlog?.failed ?? 0, oldest_pending_at: backlog?.oldestPendingAt ?? null },
  };
}

/** Onboarding and managing partner parties: `/admin/parties`. */
export function partiesAdminRouter(deps: {
  parties: PartyRegistry;
  credentials: CredentialsService;
  outbox: Outbox;
  publicUrl: string;
}): Router {
  const { parties, outbox } = deps;
  const router = new Router({ prefix: '/admin/parties' });
  const backlogOf = async (id: string) => (await outbox.backlog()).find((b) => b.partyUuid === id);

  router.post('/', async (ctx) => {
    const body = parseAdminBody(NewPartyBody, ctx.request.body);
    const roles = body.roles.map((r) =>
      typeof r === 'string'
        ? { role: r, countryCode: body.country_code, partyId: body.party_id }
        : { role: r.role, countryCode: r.country_code, partyId: r.party_id },
    );
    const { party, tokenA } = await parties.create({ name: body.name, countryCode: body.country_code, partyId: body.party_id, roles, timeZone: body.time_zone });
    ctx.status = 201;
    ctx.set('Location', `/admin/parties/${party.id}`);
    ctx.body = { id: party.id, token_a: tokenA, versions_url: versionsUrl(deps.publicUrl), party: partyView(party) };
  });

  router.get('/', async (ctx) => {
    const [all, backlog] = await Promise.all([parties.list(), outbox.backlog()]);
    ctx.body = all.map((p) => partyView(p, backlog.find((b) => b.partyUuid === p.id)));
  });

  router.get('/:id', async (ctx) => {
    const id = uuidParam(ctx.params.id, 'party');
    ctx.body = partyView(await parties.require(id), await backlogOf(id));
  });

  router.post('/:id/suspend', async (ctx) => {
    ctx.body = partyView(await parties.setSuspended(uuidParam(ctx.params.id, 'party'), true));
  });

  router.post('/:id/resume', async (ctx) => {
    ctx.body = partyView(await parties.setSuspended(uuidParam(ctx.params.id, 'party'), false));
  });

  router.put('/:id/time-zone', async (ctx) => {
    const id = uuidParam(ctx.params.id, 'party');
    const body = parseAdminBody(TimeZoneBody, ctx.request.body);
    ctx.body = partyView(await parties.setTimeZone(id, body.time_zone), await backlogOf(id));
  });

  router.post('/:id/token-a', async (ctx) => {
    const tokenA = await parties.issueTokenA(uuidParam(ctx.params.id, 'party'));
    ctx.body = { token_a: tokenA, versions_url: versionsUrl(deps.publicUrl) };
  });

  router.post('/:id/connect', async (ctx) => {
    const id = uuidParam(ctx.params.id, 'party');
    const body = parseAdminBody(ConnectBody, ctx.request.body);
    ctx.body = partyView(await deps.credentials.connect(id, body.versions_url, body.token), await backlogOf(id));
  });

  router.post('/:id/outbox/retry', async (ctx) => {
    const id = uuidParam(ctx.params.id, 'party');
    await parties.require(id);
    ctx.body = { requeued: await outbox.retryFailed(id) };
  });

  // The loss report: what this partner's OCPI version could not carry of what it was sent (docs/versions.md).
  router.get('/:id/losses', async (ctx) => {
    const id = uuidParam(ctx.params.id, 'party');
    const { limit } = parseAdminBody(LossesQuery, { ...ctx.query });
    const party = await parties.require(id);
    ctx.body = { party: id, version: party.version, deliveries: await outbox.losses(id, limit) };
  });

  router.delete('/:id', async (ctx) => {
    ctx.body = await deps.credentials.removeParty(uuidParam(ctx.params.id, 'party'));
  });

  return router;
}
