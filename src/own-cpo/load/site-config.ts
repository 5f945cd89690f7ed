/**
 * A site as the operator writes it (admin API, snake_case) and its translation into the allocation
 * core's tree (src/core/allocation). Pure: no I/O. Connector keys are `<charger id>/<ocpp connector>`
 * ("CP-1/2", "CS-7/1/1"); a charger id never contains '/', so the first '/' splits them back.
 */
import { z } from 'zod';
import { WEEKDAYS, validateSite, type ConnectorSpec, type Site, type SiteNode, type TimeWindow } from '../../core/allocation/allocation-core';
import { CHARGER_ID, OCPP_CONNECTOR } from '../chargers/chargers.service';

const Amps = z.number().finite().min(0).max(100_000);
const Kilowatts = z.number().finite().min(0).max(1_000_000);

const Limit = z.union([z.strictObject({ amps: Amps }), z.strictObject({ kilowatts: Kilowatts })], {
  error: 'must be {"amps": n} (per phase) or {"kilowatts": n} (the whole node)',
});

const SafetyMargin = z.strictObject({ amps: Amps.optional(), percent: z.number().finite().min(0).max(100).optional() });

const TimeWindowBody = z.strictObject({
  id: z.string().min(1).max(64).optional(),
  start: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be HH:MM (local time of the site)'),
  end: z.string().regex(/^(([01]\d|2[0-3]):[0-5]\d|24:00)$/, 'must be HH:MM or 24:00 (local time of the site)'),
  days: z.array(z.enum(WEEKDAYS as unknown as [string, ...string[]])).min(1).max(7).optional(),
  limit: Limit,
});

const NodeId = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$/, 'must be 1 to 64 letters, digits or _ . : -, starting with a letter or digit');

const ConnectorBody = z.strictObject({
  ocpp_connector: z.string().regex(OCPP_CONNECTOR, 'must be an OCPP 1.6 connectorId ("1") or a 2.0.1 evseId/connectorId ("1/1")'),
  phases: z.union([z.literal(1), z.literal(3)], { error: 'must be 1 or 3' }),
  max_amps: Amps,
  min_amps: Amps.optional(),
  single_phase_on: z.enum(['L1', 'L2', 'L3']).optional(),
});

const ChargerBody = z.strictObject({
  charger_id: z.string().regex(CHARGER_ID, 'must be a registered charge point id'),
  /** A maximum the charger's connectors share (per phase); makes the charger a node of the tree. */
  max_amps: Amps.optional(),
  connectors: z.array(ConnectorBody).min(1).max(64),
});

export interface GroupBody {
  id: string;
  name?: string;
  limit?: z.infer<typeof Limit>;
  safety_margin?: z.infer<typeof SafetyMargin>;
  time_windows?: z.infer<typeof TimeWindowBody>[];
  groups?: GroupBody[];
  chargers?: z.infer<typeof ChargerBody>[];
}

const GroupSchema: z.ZodType<GroupBody> = z.lazy(() =>
  z.strictObject({
    id: NodeId,
    name: z.string().max(200).optional(),
    limit: Limit.optional(),
    safety_margin: SafetyMargin.optional(),
    time_windows: z.array(TimeWindowBody).max(32).optional(),
    groups: z.array(GroupSchema).max(1000).optional(),
    chargers: z.array(ChargerBody).max(5000).optional(),
  }),
);

/** PUT /admin/sites/{id}: the whole site. */
export const SiteBody = z.strictObject({
  name: z.string().max(200).optional(),
  time_zone: z.string().min(1).max(64),
  nominal_voltage: z.number().finite().positive().max(1000).optional(),
  /** The grid connection. */
  limit: Limit,
  safety_margin: SafetyMargin.optional(),
  time_windows: z.array(TimeWindowBody).max(32).optional(),
  groups: z.array(GroupSchema).max(1000).optional(),
  chargers: z.array(ChargerBody).max(5000).optional(),
});
export type SiteBody = z.infer<typeof SiteBody>;
export type ChargerBody = z.infer<typeof ChargerBody>;

export const SITE_ID = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

/** The allocation core's connector key of an OCPP connector. */
export const connectorKeyOf = (chargerId: string, ocppConnector: string) => `${chargerId}/${ocppConnector}`;

/** The charger and OCPP connector of a connector key. */
export function splitConnectorKey(key: string): { chargerId: string; ocppConnector: string } {
  const slash = key.indexOf('/');
  return { chargerId: key.slice(0, slash), ocppConnector: key.slice(slash + 1) };
}

function windowsOf(windows: z.infer<typeof TimeWindowBody>[] | undefined): TimeWindow[] | undefined {
  return windows?.map((w) => ({ ...(w.id && { id: w.id }), start: w.start, end: w.end, ...(w.days && { days: w.days as TimeWindow['days'] }), limit: w.limit }));
}

function connectorsOf(charger: ChargerBody): ConnectorSpec[] {
  return charger.connectors.map((c) => ({
    connectorKey: connectorKeyOf(charger.charger_id, c.ocpp_connector),
    phases: c.phases,
    maxAmps: c.max_amps,
    ...(c.min_amps !== undefined && { minAmps: c.min_amps }),
    ...(c.single_phase_on && { singlePhaseOn: c.single_phase_on }),
  }));
}

/** The chargers of a node: plain connectors of the node, or a child node when the charger has a shared maximum. */
function attach(node: SiteNode, chargers: ChargerBody[] | undefined): void {
  for (const charger of chargers ?? []) {
    if (charger.max_amps === undefined) (node.connectors ??= []).push(...connectorsOf(charger));
    else (node.children ??= []).push({ id: `charger:${charger.charger_id}`, limit: { amps: charger.max_amps }, connectors: connectorsOf(charger) });
  }
}

function groupNode(group: GroupBody): SiteNode {
  const node: SiteNode = {
    id: group.id,
    ...(group.name && { name: group.name }),
    ...(group.limit && { limit: group.limit }),
    ...(group.safety_margin && { safetyMargin: group.safety_margin }),
    ...(group.time_windows && { timeWindows: windowsOf(group.time_windows) }),
  };
  attach(node, group.chargers);
  for (const child of group.groups ?? []) (node.children ??= []).push(groupNode(child));
  return node;
}

/** The core's site tree for an operator's site. */
export function toCoreSite(id: string, body: SiteBody): Site {
  const site: Site = {
    id,
    ...(body.name && { name: body.name }),
    timeZone: body.time_zone,
    ...(body.nominal_voltage && { nominalVoltage: body.nominal_voltage }),
    limit: body.limit,
    ...(body.safety_margin && { safetyMargin: body.safety_margin }),
    ...(body.time_windows && { timeWindows: windowsOf(body.time_windows) }),
  };
  attach(site, body.chargers);
  for (const group of body.groups ?? []) (site.children ??= []).push(groupNode(group));
  return site;
}

/** Every charger of a site, wherever it is in the tree. */
export function chargersOf(body: Pick<SiteBody, 'chargers' | 'groups'>): ChargerBody[] {
  return [...(body.chargers ?? []), ...(body.groups ?? []).flatMap((g) => chargersOf(g))];
}

/** The problems the schema cannot see: a charger listed twice, duplicate ids, an unknown time zone. */
export function siteProblems(id: string, body: SiteBody): string[] {
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const charger of chargersOf(body)) {
    if (seen.has(charger.charger_id)) problems.push(`charger ${charger.charger_id} is listed twice`);
    seen.add(charger.charger_id);
  }
  problems.push(...validateSite(toCoreSite(id, body)));
  return problems;
}
