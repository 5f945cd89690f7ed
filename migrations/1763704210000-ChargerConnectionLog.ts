import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Every OCPP connection of an own charger, kept (chargers holds only the current one), so reliability
 * can read past offline periods and tell a reboot (docs/reliability.md, "Own chargers' connections and
 * reboots"): when it connected, on which instance, when it closed and with which WebSocket close code;
 * and every boot.
 */
export class ChargerConnectionLog1763704210000 implements MigrationInterface {
  name = 'ChargerConnectionLog1763704210000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE charger_connection_log (
        charger_id text NOT NULL,
        connected_at timestamptz NOT NULL,
        instance text NOT NULL,
        disconnected_at timestamptz,
        close_code integer,
        PRIMARY KEY (charger_id, connected_at)
      )`);
    // Every BootNotification of an own charger, when the hub received it.
    await db.query(`
      CREATE TABLE charger_boots (
        id bigserial PRIMARY KEY,
        charger_id text NOT NULL,
        booted_at timestamptz NOT NULL DEFAULT now()
      )`);
    await db.query(`CREATE INDEX charger_boots_by_charger ON charger_boots (charger_id, booted_at)`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE charger_boots`);
    await db.query(`DROP TABLE charger_connection_log`);
  }
}
