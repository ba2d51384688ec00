import { sql, type Kysely } from 'kysely';

// Untyped on purpose: migrations describe history and never import application code.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

/**
 * The placement ledger, shared by every worker process: one row per run whose VM was placed on a
 * node but may not show in PVE's capacity numbers yet. Written under the cluster-wide placement
 * lock together with the choice it records, so two workers never both take the last room on a
 * node. `hold_until` (database clock, so hosts with drifting clocks agree) bounds each row: a
 * worker that died without releasing stops counting after at most the hold. No foreign key to
 * provisioning_runs: a row outlives nothing for long, and deleting a run must never wait on it.
 */
export async function up(db: AnyDb): Promise<void> {
  await sql`
    CREATE TABLE placement_holds (
      run_id uuid PRIMARY KEY,
      node text NOT NULL CHECK (node <> ''),
      storage text,
      memory_bytes bigint NOT NULL CHECK (memory_bytes >= 0),
      disk_bytes bigint NOT NULL CHECK (disk_bytes >= 0),
      placed_at timestamptz NOT NULL DEFAULT clock_timestamp(),
      hold_until timestamptz NOT NULL
    );
    CREATE INDEX placement_holds_until_idx ON placement_holds (hold_until);
  `.execute(db);
}

/** Drops what `up` created. */
export async function down(db: AnyDb): Promise<void> {
  await sql`DROP TABLE IF EXISTS placement_holds;`.execute(db);
}
