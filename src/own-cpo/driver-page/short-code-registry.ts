import { randomBytes } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { newShortCode, readShortCode } from '../../core/driver-page/evse-short-codes';
import type { ChargersService } from '../chargers/chargers.service';

/** One sticker: the code of a charger's connector and the URL its QR code holds. */
export interface EvseShortCode {
  code: string;
  chargerId: string;
  connector: string;
  locationId: string | null;
  evseUid: string;
  url: string;
}

/**
 * The short codes of the own chargers' connectors (`/c/<code>`). A code is given once and kept (a printed
 * sticker must keep working); a connector mapped later gets one the next time the codes are listed. A code
 * that collides with an existing one (one in 2^50 per pair) is drawn again.
 */
export class ShortCodeRegistry {
  constructor(private readonly deps: { db: DataSource; chargers: Pick<ChargersService, 'list' | 'find'>; publicUrl: string }) {}

  /** The URL a code's QR code holds. */
  urlOf(code: string): string {
    return `${this.deps.publicUrl}/c/${code}`;
  }

  /** Gives every mapped connector of every own charger a code (the ones without), and lists them all, by charger and connector. */
  async all(): Promise<EvseShortCode[]> {
    const chargers = await this.deps.chargers.list();
    const rows: { code: string; charger_id: string; ocpp_connector: string }[] = await this.deps.db.query(`SELECT code, charger_id, ocpp_connector FROM evse_short_codes`);
    const known = new Map(rows.map((r) => [`${r.charger_id}\n${r.ocpp_connector}`, r.code]));
    const codes: EvseShortCode[] = [];
    for (const charger of chargers) {
      for (const mapping of charger.evses) {
        const code = known.get(`${charger.id}\n${mapping.ocppConnector}`) ?? (await this.give(charger.id, mapping.ocppConnector));
        codes.push({ code, chargerId: charger.id, connector: mapping.ocppConnector, locationId: charger.locationId, evseUid: mapping.evseUid, url: this.urlOf(code) });
      }
    }
    return codes.sort((a, b) => a.chargerId.localeCompare(b.chargerId) || a.connector.localeCompare(b.connector, undefined, { numeric: true }));
  }

  /** The charger connector a code (as typed or scanned) stands for, if it still exists. */
  async resolve(text: string): Promise<{ code: string; chargerId: string; connector: string } | undefined> {
    const code = readShortCode(text);
    if (!code) return undefined;
    const [row]: { charger_id: string; ocpp_connector: string }[] = await this.deps.db.query(`SELECT charger_id, ocpp_connector FROM evse_short_codes WHERE code = $1`, [code]);
    return row && { code, chargerId: row.charger_id, connector: row.ocpp_connector };
  }

  /** The code of one connector, given now if it has none. */
  async codeOf(chargerId: string, connector: string): Promise<string> {
    const [row] = await this.deps.db.query(`SELECT code FROM evse_short_codes WHERE charger_id = $1 AND ocpp_connector = $2`, [chargerId, connector]);
    return row?.code ?? this.give(chargerId, connector);
  }

  private async give(chargerId: string, connector: string): Promise<string> {
    for (let attempt = 0; attempt < 5; attempt++) {
      const rows: { code: string }[] = await this.deps.db.query(
        `WITH given AS (
           INSERT INTO evse_short_codes (code, charger_id, ocpp_connector) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING RETURNING code)
         SELECT code FROM given UNION ALL SELECT code FROM evse_short_codes WHERE charger_id = $2 AND ocpp_connector = $3`,
        [newShortCode(randomBytes), chargerId, connector],
      );
      // Another instance may have given this connector a code at the same moment: that one is kept.
      if (rows.length > 0) return rows[0].code;
    }
    throw new Error(`no free short code for ${chargerId} connector ${connector} after 5 draws`);
  }
}
