import { createDatabase, migrateToLatest } from '@betang/db';
import { adminQuery, databaseUrl } from './postgres';

/**
 * Jest globalSetup for integration and e2e projects: migrates one template database for this
 * run (a per-run name, so concurrent runs on one machine never collide); the global teardown
 * drops it again.
 */
export default async function globalSetup(): Promise<void> {
  process.env.BETANG_TEST_LOGS_EXPECTED = '1'; // integration/e2e tests ran: their harnesses write logs (jest-log-teardown.ts)
  if (process.env.BETANG_TEST_TEMPLATE_DB) return; // the other project already prepared it
  const name = `betang_tpl_${process.pid}_${Date.now().toString(36)}`;
  await adminQuery(`CREATE DATABASE ${name}`);
  const db = createDatabase({ connectionString: databaseUrl(name), poolMax: 1 });
  try {
    await migrateToLatest(db);
  } finally {
    await db.destroy();
  }
  process.env.BETANG_TEST_TEMPLATE_DB = name;
  const cleanup = () => adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch(() => undefined);
  (globalThis as { __betangTemplateCleanup?: () => Promise<unknown> }).__betangTemplateCleanup = cleanup;
}
