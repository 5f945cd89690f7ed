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

/** Connects and brings the schema up to date. Migrations are the only way the schema changes. */
export async function openDatabase(options: DatabaseOptions): Promise<DataSource> {
  const dataSource = createDataSource(options);
  await dataSource.initialize();
  try {
    await dataSource.runMigrations();
  } catch (error) {
    await dataSource.destroy();
    throw error;
  }
  return dataSource;
}
