import { CamelCasePlugin, Kysely, PostgresDialect, type Transaction } from 'kysely';
import pg from 'pg';
import type { DB } from './schema.generated';

export type { DB };
/** The Kysely instance type used everywhere. */
export type Db = Kysely<DB>;
/** A transaction; repository functions that lock rows require this type. */
export type Tx = Transaction<DB>;
/** Anything a repository function can run on: the pool-backed instance or a transaction. */
export type Executor = Db | Tx;

let parsersConfigured = false;

/**
 * Configures pg's type parsers once per process: int8 → number (ids stay below 2^53),
 * date → 'YYYY-MM-DD' string (no time-zone shift), numeric → number.
 */
function configureTypeParsers(): void {
  if (parsersConfigured) return;
  pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number(v));
  pg.types.setTypeParser(pg.types.builtins.NUMERIC, (v) => Number(v));
  pg.types.setTypeParser(pg.types.builtins.DATE, (v) => v);
  parsersConfigured = true;
}

export type DatabaseOptions = { connectionString: string; poolMax?: number; applicationName?: string };

/**
 * Creates the Kysely instance over a pg pool with camelCase mapping.
 * Guarantees: no connection is opened until the first query; `db.destroy()` closes the pool.
 */
export function createDatabase(options: DatabaseOptions): Db {
  configureTypeParsers();
  const pool = new pg.Pool({
    connectionString: options.connectionString,
    max: options.poolMax ?? 10,
    application_name: options.applicationName ?? 'betang',
    connectionTimeoutMillis: 10_000,
  });
  // An idle client that loses its server must not crash the process; the next query reconnects.
  pool.on('error', () => undefined);
  // Nor may a checked-out one (e.g. inside an open transaction when PostgreSQL restarts): pg
  // emits 'error' on it with no listener, which kills the process; its queries already reject
  // and the pool discards it on release.
  pool.on('connect', (client) => client.on('error', () => undefined));
  return new Kysely<DB>({ dialect: new PostgresDialect({ pool }), plugins: [new CamelCasePlugin()] });
}
