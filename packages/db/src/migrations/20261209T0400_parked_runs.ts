import { sql, type Kysely } from 'kysely';

// Untyped on purpose: migrations describe history and never import application code.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

/**
 * Parked runs: a step waiting for PVE, a boot or the guest hands its worker slot back and keeps
 * what it needs to go on in `run_steps.memo` (e.g. the deadline of its wait); `parked_until` on
 * the step and on the run says until when it sleeps, so the reaper and the live view can tell
 * a parked run from a dead one.
 */
export async function up(db: AnyDb): Promise<void> {
  await sql`
    ALTER TABLE run_steps ADD COLUMN memo jsonb;
    ALTER TABLE run_steps ADD COLUMN parked_until timestamptz;
    ALTER TABLE provisioning_runs ADD COLUMN parked_until timestamptz;
  `.execute(db);
}

/** Drops the columns (a parked run then resumes its step from the start, which steps allow). */
export async function down(db: AnyDb): Promise<void> {
  await sql`
    ALTER TABLE provisioning_runs DROP COLUMN parked_until;
    ALTER TABLE run_steps DROP COLUMN parked_until;
    ALTER TABLE run_steps DROP COLUMN memo;
  `.execute(db);
}
