import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A client-owned object sent in another version than the hub form keeps the sender's original beside
 * the hub form (object-store.ts): GETs of that version answer it unchanged, and it is there for audit.
 */
export class ObjectOriginals1763701900000 implements MigrationInterface {
  name = 'ObjectOriginals1763701900000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE ocpi_objects ADD COLUMN original jsonb, ADD COLUMN original_version text`);
    await db.query(`ALTER TABLE ocpi_objects ADD CONSTRAINT ocpi_objects_original_whole CHECK ((original IS NULL) = (original_version IS NULL))`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE ocpi_objects DROP CONSTRAINT ocpi_objects_original_whole, DROP COLUMN original, DROP COLUMN original_version`);
  }
}
