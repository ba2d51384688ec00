import { Migrator, type Kysely, type MigrationResultSet } from 'kysely';
import { MIGRATIONS } from './migrations';

/**
 * Applies every pending migration in name order.
 * Guarantees: already-applied migrations are skipped (safe to run twice); on failure throws with
 * the failing migration's name and leaves earlier ones applied.
 */
export async function migrateToLatest<T>(db: Kysely<T>): Promise<MigrationResultSet> {
  const migrator = new Migrator({ db, provider: { getMigrations: async () => MIGRATIONS } });
  const result = await migrator.migrateToLatest();
  if (result.error) {
    const failed = result.results?.find((r) => r.status === 'Error')?.migrationName ?? 'unknown';
    const cause = result.error instanceof Error ? result.error.message : String(result.error);
    throw new Error(`Migrasi ${failed} gagal / migration ${failed} failed: ${cause}`, { cause: result.error });
  }
  return result;
}

/**
 * Applies pending migrations up to and including `name` (a test of a migration first writes data
 * the way the code before it did). Guarantees: like migrateToLatest, throws naming the failed one.
 */
export async function migrateUpTo<T>(db: Kysely<T>, name: string): Promise<MigrationResultSet> {
  if (!(name in MIGRATIONS)) throw new Error(`no migration named ${name}`);
  const migrator = new Migrator({ db, provider: { getMigrations: async () => MIGRATIONS } });
  const result = await migrator.migrateTo(name);
  if (result.error) throw new Error(`migration up to ${name} failed`, { cause: result.error });
  return result;
}
