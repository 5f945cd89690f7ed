import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * ocpi_object_counts: how many objects each owner holds per module, kept by a trigger in the
 * transaction of every insert and delete, so the X-Total-Count of an unfiltered GET-all is a read of
 * one row per owner instead of a count of every index entry (2.5 ms for 10,000 locations, a third of
 * the page's statement; object-store.ts `listFilter`). Only the modules whose objects are created
 * rarely (Locations, Tariffs): an insert holds its owner's row until commit, which a CPO's stream of
 * new Sessions and CDRs would queue on (their GET-all is filtered by token issuer, so could not use
 * the count anyway).
 */
export class ObjectCounts1763705600000 implements MigrationInterface {
  name = 'ObjectCounts1763705600000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE ocpi_object_counts (
        module text NOT NULL,
        owner text NOT NULL,
        objects bigint NOT NULL,
        PRIMARY KEY (module, owner)
      )`);
    await db.query(`
      CREATE FUNCTION ocpi_object_counts_keep() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP IN ('UPDATE', 'DELETE') THEN
          UPDATE ocpi_object_counts SET objects = objects - 1 WHERE module = OLD.module AND owner = OLD.owner;
        END IF;
        IF TG_OP IN ('UPDATE', 'INSERT') THEN
          INSERT INTO ocpi_object_counts (module, owner, objects) VALUES (NEW.module, NEW.owner, 1)
          ON CONFLICT (module, owner) DO UPDATE SET objects = ocpi_object_counts.objects + 1;
        END IF;
        RETURN NULL;
      END $$`);
    // An UPDATE counts only when it moves an object to another module or owner (never, today).
    for (const [name, event, when] of [
      ['ocpi_object_counts_insert', 'INSERT', `NEW.module IN ('locations', 'tariffs')`],
      ['ocpi_object_counts_delete', 'DELETE', `OLD.module IN ('locations', 'tariffs')`],
      ['ocpi_object_counts_move', 'UPDATE OF module, country_code, party_id',
        `(OLD.module IN ('locations', 'tariffs') OR NEW.module IN ('locations', 'tariffs')) AND (OLD.module, OLD.country_code, OLD.party_id) IS DISTINCT FROM (NEW.module, NEW.country_code, NEW.party_id)`],
    ]) {
      await db.query(`CREATE TRIGGER ${name} AFTER ${event} ON ocpi_objects FOR EACH ROW WHEN (${when}) EXECUTE FUNCTION ocpi_object_counts_keep()`);
    }
    await db.query(`LOCK TABLE ocpi_objects IN SHARE MODE`);
    await db.query(`
      INSERT INTO ocpi_object_counts (module, owner, objects)
      SELECT module, owner, count(*) FROM ocpi_objects WHERE module IN ('locations', 'tariffs') GROUP BY module, owner`);
  }

  async down(db: QueryRunner): Promise<void> {
    for (const name of ['ocpi_object_counts_insert', 'ocpi_object_counts_delete', 'ocpi_object_counts_move']) await db.query(`DROP TRIGGER ${name} ON ocpi_objects`);
    await db.query(`DROP FUNCTION ocpi_object_counts_keep()`);
    await db.query(`DROP TABLE ocpi_object_counts`);
  }
}
