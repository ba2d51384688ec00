import { sql, type Kysely } from 'kysely';

// Untyped on purpose: migrations describe history and never import application code.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

/**
 * Run kind `restore`: the worker restores one of the VM's backups (a `qmrestore` over the VM's
 * own vmid) through the day-2 harness.
 */
export async function up(db: AnyDb): Promise<void> {
  await sql`
    ALTER TABLE provisioning_runs DROP CONSTRAINT provisioning_runs_kind_check;
    ALTER TABLE provisioning_runs ADD CONSTRAINT provisioning_runs_kind_check
      CHECK (kind IN ('provision', 'start', 'stop', 'shutdown', 'reboot', 'resize', 'decommission', 'ssh_keys', 'snapshot', 'snapshot_rollback', 'snapshot_delete', 'console_password', 'restore'));
  `.execute(db);
}

/** Drops the kind (its runs must be gone first). */
export async function down(db: AnyDb): Promise<void> {
  await sql`
    DELETE FROM run_steps WHERE run_id IN (SELECT id FROM provisioning_runs WHERE kind = 'restore');
    DELETE FROM provisioning_runs WHERE kind = 'restore';
    ALTER TABLE provisioning_runs DROP CONSTRAINT provisioning_runs_kind_check;
    ALTER TABLE provisioning_runs ADD CONSTRAINT provisioning_runs_kind_check
      CHECK (kind IN ('provision', 'start', 'stop', 'shutdown', 'reboot', 'resize', 'decommission', 'ssh_keys', 'snapshot', 'snapshot_rollback', 'snapshot_delete', 'console_password'));
  `.execute(db);
}
