import { sql, type Kysely } from 'kysely';

// Untyped on purpose: migrations describe history and never import application code.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

/**
 * Clone leases, shared by every worker process: one row per holder (a provisioning run, or a
 * one-off holder) copying a disk on a node. Taken under a per-node advisory transaction lock that
 * counts the node's live leases against PVE_CLONE_LIMIT_PER_NODE, so no node runs more copies than
 * its limit whichever process starts them. A row outlives the worker's connection (a run parks
 * while PVE copies); `expires_at` (database clock) bounds a lease whose holder died without
 * releasing it. No foreign key to provisioning_runs: deleting a run must never wait on a lease.
 */
export async function up(db: AnyDb): Promise<void> {
  await sql`
    CREATE TABLE clone_leases (
      run_id uuid PRIMARY KEY,
      node text NOT NULL CHECK (node <> ''),
      upid text,
      taken_at timestamptz NOT NULL DEFAULT clock_timestamp(),
      expires_at timestamptz NOT NULL
    );
    CREATE INDEX clone_leases_node_idx ON clone_leases (node, expires_at);
  `.execute(db);
}

/** Drops what `up` created. */
export async function down(db: AnyDb): Promise<void> {
  await sql`DROP TABLE IF EXISTS clone_leases;`.execute(db);
}
