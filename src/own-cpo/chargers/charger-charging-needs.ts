import type { DataSource } from 'typeorm';
import { updatedRows } from '../../db/updated-rows';
import type { EvChargingNeeds } from '../../core/allocation/ev-charging-needs';

/** The EV's needs on one EVSE, as its station last sent them. */
export interface StoredChargingNeeds {
  chargerId: string;
  evseId: number;
  needs: EvChargingNeeds;
  receivedAt: Date;
}

/**
 * What a 2.0.1/2.1 station says about the charging on its EVSEs beyond meter values: the EV's needs
 * (NotifyEVChargingNeeds, K15–K17), which load management takes as inputs of the allocation, and
 * limits other parties (an EMS, the DSO, the station itself) put on an EVSE (NotifyChargingLimit,
 * K12; ClearedChargingLimit, K13), kept per source for the operator. The needs last while the EV is
 * plugged in: a connector reported Available again, or the EVSE's transaction ending, clears them.
 */
export class ChargerChargingNeeds {
  private readonly listeners: ((chargerId: string, evseId: number) => void | Promise<void>)[] = [];

  constructor(private readonly db: DataSource, private readonly onListenerError: (error: unknown) => void = () => undefined) {}

  /** Told when an EV's needs arrive (services.ts subscribes load management). */
  onNeeds(listener: (chargerId: string, evseId: number) => void | Promise<void>): void {
    this.listeners.push(listener);
  }

  async needs(chargerId: string, evseId: number, needs: EvChargingNeeds): Promise<void> {
    await this.db.query(
      `INSERT INTO charger_charging_needs (charger_id, evse_id, needs, received_at) VALUES ($1, $2, $3, now())
       ON CONFLICT (charger_id, evse_id) DO UPDATE SET needs = EXCLUDED.needs, received_at = EXCLUDED.received_at`,
      [chargerId, evseId, JSON.stringify(needs)],
    );
    for (const listener of this.listeners) {
      Promise.resolve()
        .then(() => listener(chargerId, evseId))
        .catch(this.onListenerError);
    }
  }

  /** Whether the charger is in a load-managed site (only then does the hub send it charging profiles). */
  async managed(chargerId: string): Promise<boolean> {
    const rows: unknown[] = await this.db.query(`SELECT 1 FROM site_chargers WHERE charger_id = $1`, [chargerId]);
    return rows.length > 0;
  }

  /** The EV left (or its transaction ended): its needs no longer apply. */
  async clearNeeds(chargerId: string, evseId: number): Promise<void> {
    await this.db.query(`DELETE FROM charger_charging_needs WHERE charger_id = $1 AND evse_id = $2`, [chargerId, evseId]);
  }

  /** The needs on every EVSE of these chargers. */
  async needsOf(chargerIds: string[]): Promise<StoredChargingNeeds[]> {
    if (!chargerIds.length) return [];
    const rows: { charger_id: string; evse_id: number; needs: EvChargingNeeds; received_at: Date }[] = await this.db.query(
      `SELECT charger_id, evse_id, needs, received_at FROM charger_charging_needs WHERE charger_id = ANY($1)`,
      [chargerIds],
    );
    return rows.map((r) => ({ chargerId: r.charger_id, evseId: r.evse_id, needs: r.needs, receivedAt: r.received_at }));
  }

  /** A limit a source put on an EVSE (0: the whole station), with its schedule when the station sent one. */
  async limit(chargerId: string, evseId: number, source: string, chargingLimit: Record<string, unknown>): Promise<void> {
    await this.db.query(
      `INSERT INTO charger_charging_limits (charger_id, evse_id, source, charging_limit, received_at) VALUES ($1, $2, $3, $4, now())
       ON CONFLICT (charger_id, evse_id, source) DO UPDATE SET charging_limit = EXCLUDED.charging_limit, received_at = EXCLUDED.received_at`,
      [chargerId, evseId, source, JSON.stringify(chargingLimit)],
    );
  }

  /** A source lifted its limit on one EVSE, or on every EVSE when none is named (K13). */
  async clearedLimit(chargerId: string, source: string, evseId?: number): Promise<number> {
    const rows = await updatedRows(
      this.db,
      `DELETE FROM charger_charging_limits WHERE charger_id = $1 AND source = $2 AND ($3::int IS NULL OR evse_id = $3) RETURNING 1`,
      [chargerId, source, evseId ?? null],
    );
    return rows.length;
  }

  /** The limits in force on a charger, by EVSE and source. */
  async limitsOf(chargerId: string): Promise<{ evseId: number; source: string; chargingLimit: Record<string, unknown>; receivedAt: Date }[]> {
    const rows: { evse_id: number; source: string; charging_limit: Record<string, unknown>; received_at: Date }[] = await this.db.query(
      `SELECT evse_id, source, charging_limit, received_at FROM charger_charging_limits WHERE charger_id = $1 ORDER BY evse_id, source`,
      [chargerId],
    );
    return rows.map((r) => ({ evseId: r.evse_id, source: r.source, chargingLimit: r.charging_limit, receivedAt: r.received_at }));
  }
}
