import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * No-show and late-cancellation fees (docs/scheduling.md): the CDR an unused booking was charged with,
 * '' when it cost nothing (no reservation prices, or no token to charge), NULL while not yet charged.
 */
export class BookingFees1763704400000 implements MigrationInterface {
  name = 'BookingFees1763704400000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE own_bookings ADD COLUMN fee_cdr_id text`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE own_bookings DROP COLUMN fee_cdr_id`);
  }
}
