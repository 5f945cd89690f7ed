/**
 * A one-row relation to join into a statement whose commit need not wait for the WAL flush:
 * set_config(…, true) is SET LOCAL inside the statement's own (implicit) transaction, so one statement
 * and one round trip do what BEGIN; SET LOCAL synchronous_commit TO off; …; COMMIT did in four, holding
 * a pooled connection meanwhile. For writes whose loss in a PostgreSQL crash (not a hub crash: the
 * server still flushes) is harmless: the outbox's bookkeeping, the traffic recorder's batches.
 */
export const NO_WAL_WAIT = `(SELECT set_config('synchronous_commit', 'off', true)) AS no_wal_wait`;
