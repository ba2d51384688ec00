/* `npm run migrate`: applies pending migrations to DATABASE_URL, then exits. */
import { loadConfigOrExit, ZMigrateEnv } from '@betang/config';
import { createDatabase } from '../database';
import { migrateToLatest } from '../migrate';

async function main(): Promise<void> {
  const config = loadConfigOrExit(ZMigrateEnv);
  const db = createDatabase({ connectionString: config.DATABASE_URL, poolMax: 2, applicationName: 'betang-migrate' });
  try {
    const result = await migrateToLatest(db);
    const applied = result.results?.filter((r) => r.status === 'Success').map((r) => r.migrationName) ?? [];
    console.log(
      applied.length ? `Migrasi diterapkan / applied: ${applied.join(', ')}` : 'Basis data sudah mutakhir / database is up to date',
    );
  } finally {
    await db.destroy();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
