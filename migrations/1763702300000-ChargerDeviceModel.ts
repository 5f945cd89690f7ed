import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What the hub keeps of a charger beyond its transactions (docs/own-chargers.md):
 * - `ocpp_events.answer`: every notification is kept with what the hub answered it;
 * - `charger_variables`: the device model / configuration, one row per component, variable and
 *   attribute, with what the charger last reported (2.0.1 NotifyReport and GetVariables, 1.6
 *   GetConfiguration) and what the operator last set (SetVariables / ChangeConfiguration and the answer);
 * - `charger_charging_needs`: the EV's needs per EVSE (NotifyEVChargingNeeds), read by load management;
 * - `charger_charging_limits`: limits other parties put on an EVSE (NotifyChargingLimit), per source;
 * - `chargers.protocol` also takes `ocpp2.1`.
 */
export class ChargerDeviceModel1763702300000 implements MigrationInterface {
  name = 'ChargerDeviceModel1763702300000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE ocpp_events ADD COLUMN answer jsonb`);
    await db.query(`ALTER TABLE chargers DROP CONSTRAINT chargers_protocol_check`);
    await db.query(`ALTER TABLE chargers ADD CONSTRAINT chargers_protocol_check CHECK (protocol IN ('ocpp1.6', 'ocpp2.0.1', 'ocpp2.1'))`);
    await db.query(`
      CREATE TABLE charger_variables (
        charger_id text NOT NULL REFERENCES chargers(id) ON DELETE CASCADE,
        component text NOT NULL,
        component_instance text NOT NULL DEFAULT '',
        evse text NOT NULL DEFAULT '',
        variable text NOT NULL,
        variable_instance text NOT NULL DEFAULT '',
        attribute_type text NOT NULL DEFAULT 'Actual',
        value text,
        mutability text,
        persistent boolean,
        constant boolean,
        characteristics jsonb,
        reported_by text,
        reported_at timestamptz,
        set_value text,
        set_status text,
        set_status_info jsonb,
        set_at timestamptz,
        PRIMARY KEY (charger_id, component, component_instance, evse, variable, variable_instance, attribute_type)
      )`);
    await db.query(`
      CREATE TABLE charger_charging_needs (
        charger_id text NOT NULL REFERENCES chargers(id) ON DELETE CASCADE,
        evse_id integer NOT NULL,
        needs jsonb NOT NULL,
        received_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (charger_id, evse_id)
      )`);
    await db.query(`
      CREATE TABLE charger_charging_limits (
        charger_id text NOT NULL REFERENCES chargers(id) ON DELETE CASCADE,
        evse_id integer NOT NULL,
        source text NOT NULL,
        charging_limit jsonb NOT NULL,
        received_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (charger_id, evse_id, source)
      )`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE charger_charging_limits`);
    await db.query(`DROP TABLE charger_charging_needs`);
    await db.query(`DROP TABLE charger_variables`);
    await db.query(`UPDATE chargers SET protocol = NULL WHERE protocol = 'ocpp2.1'`);
    await db.query(`ALTER TABLE chargers DROP CONSTRAINT chargers_protocol_check`);
    await db.query(`ALTER TABLE chargers ADD CONSTRAINT chargers_protocol_check CHECK (protocol IN ('ocpp1.6', 'ocpp2.0.1'))`);
    await db.query(`ALTER TABLE ocpp_events DROP COLUMN answer`);
  }
}
