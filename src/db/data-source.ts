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
    extra: { max: poolSize, connectionTimeoutMillis: 10_000 },
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
