import type { DataSource } from 'typeorm';
import { z } from 'zod';
import type { PricePeriod, PriorityClass } from '../../core/planning/planning-core';
import { previewTariffPrice } from '../../core/pricing/tariff-price-preview';
import { type ApiKeyView, hashApiKey, newApiKey } from '../../foundation/api-keys';
import { HubError } from '../../foundation/hub-errors';

/**
 * The planner's side of a site (docs/scheduling.md, "The planner live"): whether the site plans over
 * the next 24 h instead of allocating the instant, its priority classes, the own tariff its
 * time-of-use prices come from; and the capacity a building or grid operator's energy management
 * system (EMS) sets through /ems/v1 with a key scoped to the site (issued by the operator, only its
 * SHA-256 stored, revocable).
 */

const ClassId = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,35}$/, 'a class id is 1–36 letters, digits, _ . -');

export const PlannerSettingsBody = z.strictObject({
  enabled: z.boolean(),
  /** The own tariff whose ENERGY price per slot is the planner's price (time-of-use, day-ahead). */
  tariff_id: z.string().min(1).max(36).optional(),
  /** Used for slots the tariff does not price, and when there is no tariff; per kWh. */
  default_price_per_kwh: z.number().min(0).optional(),
  /** Higher rank is served first; `tokens` (OCPP id tokens) put a driver's sessions in the class. */
  classes: z
    .array(z.strictObject({ id: ClassId, rank: z.number().int().min(-100).max(100), description: z.string().max(200).optional(), tokens: z.array(z.string().min(1).max(36)).max(10_000).optional() }))
    .max(20)
    .refine((list) => new Set(list.map((c) => c.id)).size === list.length, 'class ids must be unique')
    .optional(),
});
export type PlannerSettingsBody = z.infer<typeof PlannerSettingsBody>;

export const CapacityBody = z.strictObject({
  limit: z.number().finite().min(0),
  unit: z.enum(['W', 'A']),
  /** ISO 8601 with an offset; after it the configured limit applies again. */
  valid_until: z.iso.datetime({ offset: true }).optional(),
});
export type CapacityBody = z.infer<typeof CapacityBody>;

export interface EmsKeyView extends ApiKeyView {
  site_id: string;
}

/** The EMS limit in force at a site (watts), as given. */
export interface EmsLimit {
  limitW: number;
  given: CapacityBody;
  validUntil: Date | null;
  setAt: Date;
}

export const EMS_KEY_PREFIX = 'ems_';

/** The classes of the planner, with the default class added when the operator configured none named `standard`. */
export function priorityClassesOf(settings: PlannerSettingsBody | undefined): PriorityClass[] {
  const classes: PriorityClass[] = (settings?.classes ?? []).map((c) => ({ id: c.id, rank: c.rank, ...(c.description && { description: c.description }) }));
  if (!classes.some((c) => c.id === 'standard')) classes.push({ id: 'standard', rank: 0 });
  return classes;
}

/** The class of a session's token (the first class listing it), else `standard`. */
export function classOfToken(settings: PlannerSettingsBody | undefined, idToken: string | null): string {
  const found = idToken ? settings?.classes?.find((c) => c.tokens?.includes(idToken)) : undefined;
  return found?.id ?? 'standard';
}

/**
 * The energy price per kWh of each slot under an OCPI tariff: what the pricing engine charges for 2 kWh
 * minus what it charges for 1 kWh in that slot, so flat and time fees cancel and only the slot's ENERGY
 * price (with its time-of-use restrictions) is left. Excl. VAT. A slot the tariff cannot price is left out.
 */
export function tariffEnergyPrices(tariff: unknown, timeZone: string, start: number, slotMs: number, count: number): PricePeriod[] {
  const out: PricePeriod[] = [];
  const minutes = slotMs / 60_000;
  for (let i = 0; i < count; i++) {
    const from = new Date(start + i * slotMs);
    const one = previewTariffPrice(tariff, { start: from, chargingMinutes: minutes, kwh: 1, parkingMinutes: 0 }, timeZone);
    const two = previewTariffPrice(tariff, { start: from, chargingMinutes: minutes, kwh: 2, parkingMinutes: 0 }, timeZone);
    if (!one.ok || !two.ok) continue;
    const price = two.computed.total_cost.excl_vat - one.computed.total_cost.excl_vat;
    out.push({ from, until: new Date(start + (i + 1) * slotMs), pricePerKWh: Math.max(0, price) });
  }
  return out;
}

export class SitePlanner {
  constructor(private readonly db: DataSource) {}

  private async requireSite(siteId: string): Promise<void> {
    const [site] = await this.db.query(`SELECT 1 FROM sites WHERE id = $1`, [siteId]);
    if (!site) throw new HubError('not_found', `No site ${siteId}`);
  }

  async settings(siteId: string): Promise<PlannerSettingsBody> {
    await this.requireSite(siteId);
    const [row] = await this.db.query(`SELECT enabled, settings FROM site_planner_settings WHERE site_id = $1`, [siteId]);
    return row ? { ...row.settings, enabled: row.enabled } : { enabled: false };
  }

  /** The settings of every site that plans (one query, for the load manager's cache). */
  async enabledSites(): Promise<Map<string, PlannerSettingsBody>> {
    const rows: { site_id: string; settings: PlannerSettingsBody }[] = await this.db.query(`SELECT site_id, settings FROM site_planner_settings WHERE enabled`);
    return new Map(rows.map((r) => [r.site_id, { ...r.settings, enabled: true }]));
  }

  async putSettings(siteId: string, body: PlannerSettingsBody): Promise<PlannerSettingsBody> {
    await this.requireSite(siteId);
    const { enabled, ...settings } = body;
    await this.db.query(
      `INSERT INTO site_planner_settings (site_id, enabled, settings, updated_at) VALUES ($1, $2, $3, now())
       ON CONFLICT (site_id) DO UPDATE SET enabled = EXCLUDED.enabled, settings = EXCLUDED.settings, updated_at = now()`,
      [siteId, enabled, JSON.stringify(settings)],
    );
    return body;
  }

  /** A new EMS key for a site; the key itself is in the answer only. */
  async issueKey(siteId: string, label: string): Promise<EmsKeyView & { key: string }> {
    await this.requireSite(siteId);
    const key = newApiKey(EMS_KEY_PREFIX);
    const [row] = await this.db.query(
      `INSERT INTO site_ems_keys (site_id, label, key_hash) VALUES ($1, $2, $3) RETURNING id::text, site_id, label, created_at, revoked_at`,
      [siteId, label, hashApiKey(key)],
    );
    return { ...row, key };
  }

  async keys(siteId: string): Promise<EmsKeyView[]> {
    await this.requireSite(siteId);
    return this.db.query(`SELECT id::text, site_id, label, created_at, revoked_at FROM site_ems_keys WHERE site_id = $1 ORDER BY id`, [siteId]);
  }

  /** Revokes a key at once; a revoked key stays listed. */
  async revokeKey(siteId: string, keyId: string): Promise<EmsKeyView> {
    if (!/^\d{1,18}$/.test(keyId)) throw new HubError('not_found', `No EMS key ${keyId} at site ${siteId}`);
    const [rows] = await this.db.query(
      `UPDATE site_ems_keys SET revoked_at = coalesce(revoked_at, now()) WHERE id = $1 AND site_id = $2
       RETURNING id::text, site_id, label, created_at, revoked_at`,
      [keyId, siteId],
    );
    if (!rows?.length) throw new HubError('not_found', `No EMS key ${keyId} at site ${siteId}`);
    return rows[0];
  }

  /** The site and key id a key stands for, or null for an unknown or revoked key. */
  async authenticate(key: string): Promise<{ keyId: string; siteId: string } | null> {
    if (!key.startsWith(EMS_KEY_PREFIX)) return null;
    const [row] = await this.db.query(`SELECT id::text AS key_id, site_id FROM site_ems_keys WHERE key_hash = $1 AND revoked_at IS NULL`, [hashApiKey(key)]);
    return row ? { keyId: row.key_id, siteId: row.site_id } : null;
  }

  /** Stores the EMS limit of a site (A are per phase on three phases at the site's voltage). */
  async setLimit(siteId: string, keyId: string | null, body: CapacityBody, voltage: number, now: Date): Promise<EmsLimit> {
    const validUntil = body.valid_until ? new Date(body.valid_until) : null;
    if (validUntil && validUntil.getTime() <= now.getTime()) throw new HubError('invalid', `valid_until ${body.valid_until} is not in the future`);
    const limitW = Math.floor(body.unit === 'W' ? body.limit : body.limit * 3 * voltage);
    if (limitW > 2_000_000_000) throw new HubError('invalid', `limit ${body.limit} ${body.unit} is out of range`);
    await this.db.query(
      `INSERT INTO site_ems_limits (site_id, limit_w, given, valid_until, set_at, key_id) VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (site_id) DO UPDATE SET limit_w = EXCLUDED.limit_w, given = EXCLUDED.given, valid_until = EXCLUDED.valid_until,
         set_at = EXCLUDED.set_at, key_id = EXCLUDED.key_id`,
      [siteId, limitW, JSON.stringify(body), validUntil, now, keyId],
    );
    return { limitW, given: body, validUntil, setAt: now };
  }

  /** The EMS limit of a site still valid at `now`, if any. */
  async limitOf(siteId: string, now: Date): Promise<EmsLimit | undefined> {
    const [row] = await this.db.query(`SELECT limit_w, given, valid_until, set_at FROM site_ems_limits WHERE site_id = $1 AND (valid_until IS NULL OR valid_until > $2)`, [siteId, now]);
    return row ? { limitW: row.limit_w, given: row.given, validUntil: row.valid_until, setAt: row.set_at } : undefined;
  }

  async clearLimit(siteId: string): Promise<void> {
    await this.db.query(`DELETE FROM site_ems_limits WHERE site_id = $1`, [siteId]);
  }
}
