import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A 2.1.1 session or CDR names its token only by contract id (`auth_id`): the hub finds the token, and
 * with it the eMSP the object goes to, by that id (hub/routing/version-context.ts).
 */
export class TokenContractIds1763702010000 implements MigrationInterface {
  name = 'TokenContractIds1763702010000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`CREATE INDEX ocpi_objects_token_contract_id ON ocpi_objects ((data->>'contract_id')) WHERE module = 'tokens'`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP INDEX ocpi_objects_token_contract_id`);
  }
}
