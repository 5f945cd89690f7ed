import type { DataSource } from 'typeorm';

/** The rows an UPDATE … RETURNING changed: TypeORM answers an UPDATE (unlike a SELECT or INSERT) as [rows, count]. */
export async function updatedRows<T>(db: Pick<DataSource, 'query'>, sql: string, parameters: unknown[]): Promise<T[]> {
  const [rows] = (await db.query(sql, parameters)) as [T[], number];
  return rows;
}
