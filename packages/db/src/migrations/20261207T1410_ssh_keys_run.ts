import { sql, type Kysely } from 'kysely';

// Untyped on purpose: migrations describe history and never import application code.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

/**
 * A day-2 run that replaces the admin user's SSH authorized keys through the guest agent (a lost
 * key needs no network path into the VM).
 */
export async function up(db: AnyDb): Promise<void> {
  await sql`
    ALTER TABLE provisioning_runs DROP CONSTRAINT provisioning_runs_kind_check;
    ALTER TABLE provisioning_runs ADD CONSTRAINT provisioning_runs_kind_check
      CHECK (kind IN ('provision', 'start', 'stop', 'shutdown', 'reboot', 'resize', 'decommission', 'ssh_keys'));
  `.execute(db);
}

export async function down(db: AnyDb): Promise<void> {
  await sql`
    DELETE FROM provisioning_runs WHERE kind = 'ssh_keys';
    ALTER TABLE provisioning_runs DROP CONSTRAINT provisioning_runs_kind_check;
    ALTER TABLE provisioning_runs ADD CONSTRAINT provisioning_runs_kind_check
      CHECK (kind IN ('provision', 'start', 'stop', 'shutdown', 'reboot', 'resize', 'decommission'));
  `.execute(db);
}
