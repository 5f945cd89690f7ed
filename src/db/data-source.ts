import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { migrations } from '../../migrations';
import { entities } from './entities';

export interface DatabaseOptions {
  url: string;
  /** Pool size per hub instance. */
  poolSize?: number;
}

export function createDataSource({ url, poolSize = 20 }: DatabaseOptions): DataSource {
  return new DataSource({
    type: 'postgres',
    url,
    entities,
    migrations,
    migrationsTransactionMode: 'each',
    synchronize: false,
    logging: false,
    // OCPI DateTimes without a zone are UTC (types.asciidoc), and SQL casts of them read the session's
    // zone: fixed to UTC, whatever the server or the machine is set to.
    extra: { max: poolSize, connectionTimeoutMillis: 10_000, options: '-c TimeZone=UTC' },
  });
}

/** The advisory lock instances hold while they migrate (a session lock: released if the instance dies). */
const MIGRATION_LOCK = 'ocpi-hub migrations';

/**
 * Connects and brings the schema up to date. Migrations are the only way the schema changes. Instances
 * starting together on one database migrate one after the other (an advisory lock): the first applies
 * what is pending, the others find nothing left to do.
 */
export async function openDatabase(options: DatabaseOptions): Promise<DataSource> {
  const dataSource = createDataSource(options);
  await dataSource.initialize();
  // A connection of its own for the lock: the pool may be a single connection, which the migrations use.
  const lock = new Client({ connectionString: options.url });
  try {
    await lock.connect();
    await lock.query(`SELECT pg_advisory_lock(hashtext($1))`, [MIGRATION_LOCK]);
    await dataSource.runMigrations();
  } catch (error) {
    await dataSource.destroy();
    throw error;
  } finally {
    await lock.end().catch(() => undefined); // ending the session releases its lock
  }
  return dataSource;
}
