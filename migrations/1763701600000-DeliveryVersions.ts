import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A delivery keeps the OCPI version its body was sent in and what the translation needs beyond it;
 * it is translated to the receiver's version when it is delivered (so a partner that changes version
 * while deliveries wait gets them in its new one), and what the receiver's version could not carry
 * is kept beside it (the loss report, docs/versions.md).
 */
export class DeliveryVersions1763701600000 implements MigrationInterface {
  name = 'DeliveryVersions1763701600000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      ALTER TABLE outbox
        ADD COLUMN body_version text NOT NULL DEFAULT '2.2.1',
        ADD COLUMN translation_context jsonb,
        ADD COLUMN delivered_version text,
        ADD COLUMN losses jsonb`);
    await db.query(`CREATE INDEX outbox_party_losses ON outbox (party_uuid, id DESC) WHERE losses IS NOT NULL`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP INDEX outbox_party_losses`);
    await db.query(`ALTER TABLE outbox DROP COLUMN body_version, DROP COLUMN translation_context, DROP COLUMN delivered_version, DROP COLUMN losses`);
  }
}
