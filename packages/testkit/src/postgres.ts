import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { createDatabase, type Db } from '@betang/db';

/** Server-level connection used to create and drop test databases (trust auth on loopback). */
export const ADMIN_DATABASE_URL = process.env.TEST_ADMIN_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/** Name of this jest run's migrated template database (set by the global setup). */
function templateDatabaseName(): string {
  const name = process.env.BETANG_TEST_TEMPLATE_DB;
  if (!name) throw new Error('BETANG_TEST_TEMPLATE_DB is not set: run integration tests through jest (globalSetup)');
  return name;
}

/** URL of a database on the admin server. */
export function databaseUrl(name: string): string {
  const url = new URL(ADMIN_DATABASE_URL);
  url.pathname = `/${name}`;
  return url.toString();
}

/** Runs one statement on the admin connection. */
export async function adminQuery(text: string): Promise<void> {
  const client = new pg.Client({ connectionString: ADMIN_DATABASE_URL });
  await client.connect();
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}

export type TestDatabase = { name: string; url: string; db: Db; drop(): Promise<void> };

/**
 * Creates a fresh database for one test file by cloning the migrated template (fast, isolated,
 * parallel-safe). `drop()` closes the pool and drops it.
 */
export async function createTestDatabase(): Promise<TestDatabase> {
  const name = `betang_t_${randomBytes(6).toString('hex')}`;
  await adminQuery(`CREATE DATABASE ${name} TEMPLATE ${templateDatabaseName()}`);
  const url = databaseUrl(name);
  const db = createDatabase({ connectionString: url, poolMax: 10, applicationName: 'betang-test' });
  return {
    name,
    url,
    db,
    async drop() {
      await db.destroy();
      await adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    },
  };
}
