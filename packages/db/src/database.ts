import { Kysely, PostgresDialect, type Transaction } from 'kysely';
import { BetangCasePlugin } from './case-plugin';
import pg from 'pg';
import type { RequestStatus, RunKind, RunStatus, StepStatus, VmState } from '@betang/core';
import type { DB as GeneratedDB, ProvisioningRuns, RunSteps, Vms, VpsRequests } from './schema.generated';

/** `T` with the columns `K` typed as `V` (the generated types say `string` for a CHECKed text column). */
type Retyped<T, K extends keyof T, V> = Omit<T, K> & { [P in K]: V };

/**
 * The generated schema with each lifecycle column typed as core's union, so a misspelt status does
 * not compile. The database CHECK constraints list the same values (schema-constraints tests).
 */
export type DB = Omit<GeneratedDB, 'vpsRequests' | 'provisioningRuns' | 'runSteps' | 'vms'> & {
  vpsRequests: Retyped<VpsRequests, 'status', RequestStatus>;
  provisioningRuns: Retyped<Retyped<ProvisioningRuns, 'status', RunStatus>, 'kind', RunKind>;
  runSteps: Retyped<RunSteps, 'status', StepStatus>;
  vms: Retyped<Vms, 'state', VmState>;
};
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

type DatabaseOptions = { connectionString: string; poolMax?: number; applicationName?: string };

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
  return new Kysely<DB>({ dialect: new PostgresDialect({ pool }), plugins: [new BetangCasePlugin()] });
}
