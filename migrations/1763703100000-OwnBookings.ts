import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Bookings at the own CPO's locations (docs/scheduling.md): a window on an EVSE (or on the location's
 * capacity only), the power held for it, and its status in the OCPI Bookings vocabulary
 * (ReservationStatus: RESERVED, CANCELED, NO_SHOW, FULFILLED; a refused request is never stored).
 * `reservation_id` is the ocpp_reservations row once the charger was asked to hold the EVSE at the
 * window's start; `requester` is the eMSP that booked through OCPI (with its request_id), or the operator.
 */
export class OwnBookings1763703100000 implements MigrationInterface {
  name = 'OwnBookings1763703100000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE own_bookings (
        id text PRIMARY KEY,
        location_id text NOT NULL,
        evse_uid text,
        window_from timestamptz NOT NULL,
        window_until timestamptz NOT NULL CHECK (window_until > window_from),
        power_w integer NOT NULL CHECK (power_w > 0),
        status text NOT NULL DEFAULT 'RESERVED' CHECK (status IN ('RESERVED', 'CANCELED', 'NO_SHOW', 'FULFILLED')),
        requester jsonb NOT NULL DEFAULT '{}',
        id_token text,
        reservation_id integer,
        canceled jsonb,
        transaction_pk bigint,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await db.query(`CREATE INDEX own_bookings_holding ON own_bookings (location_id, window_from) WHERE status = 'RESERVED'`);
    await db.query(`CREATE UNIQUE INDEX own_bookings_request ON own_bookings ((requester->>'country_code'), (requester->>'party_id'), (requester->>'request_id')) WHERE requester ? 'request_id'`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE own_bookings`);
  }
}
