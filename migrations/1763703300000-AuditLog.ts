import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The operator's audit log (docs/dashboard.md, "The console"): one row per mutating admin request,
 * from the console and the CLI alike, with who, when, what and the target's state before and after.
 * Outbox deliveries the operator skips get their own status, so what was never delivered stays visible.
 */
export class AuditLog1763703300000 implements MigrationInterface {
  name = 'AuditLog1763703300000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE admin_audit_log (
        id bigserial PRIMARY KEY,
        at timestamptz NOT NULL DEFAULT now(),
        actor text NOT NULL,
        client text,
        method text NOT NULL,
        path text NOT NULL,
        action text NOT NULL,
        target text,
        http_status integer NOT NULL,
        outcome text NOT NULL CHECK (outcome IN ('ok', 'refused', 'failed')),
        error text,
        request_body jsonb,
        before jsonb,
        after jsonb,
        request_id text
      )`);
    await db.query(`CREATE INDEX admin_audit_log_by_action ON admin_audit_log (action, id)`);
    await db.query(`CREATE INDEX admin_audit_log_by_target ON admin_audit_log (target, id)`);
    await db.query(`CREATE INDEX admin_audit_log_by_at ON admin_audit_log (at)`);
    await db.query(`ALTER TABLE outbox DROP CONSTRAINT outbox_status_check`);
    await db.query(`ALTER TABLE outbox ADD CONSTRAINT outbox_status_check CHECK (status IN ('pending', 'delivered', 'failed', 'skipped'))`);
    // The console's searches of sessions and CDRs by token and location (dashboard/console.queries.ts):
    // without these every search reads every session's JSON.
    await db.query(`CREATE INDEX ocpi_objects_by_token_uid ON ocpi_objects ((data->'cdr_token'->>'uid')) WHERE module IN ('sessions', 'cdrs')`);
    await db.query(`CREATE INDEX ocpi_objects_by_contract_id ON ocpi_objects ((data->'cdr_token'->>'contract_id')) WHERE module IN ('sessions', 'cdrs')`);
    await db.query(`CREATE INDEX ocpi_objects_by_session_location ON ocpi_objects ((data->>'location_id')) WHERE module = 'sessions'`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP INDEX ocpi_objects_by_token_uid, ocpi_objects_by_contract_id, ocpi_objects_by_session_location`);
    await db.query(`DELETE FROM outbox WHERE status = 'skipped'`);
    await db.query(`ALTER TABLE outbox DROP CONSTRAINT outbox_status_check`);
    await db.query(`ALTER TABLE outbox ADD CONSTRAINT outbox_status_check CHECK (status IN ('pending', 'delivered', 'failed'))`);
    await db.query(`DROP TABLE admin_audit_log`);
  }
}
