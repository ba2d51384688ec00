import { sql, type Kysely } from 'kysely';

// Untyped on purpose: migrations describe history and never import application code.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

/**
 * VM snapshots taken through Betang:
 * - `vm_snapshots`: one row per snapshot asked for, named as on Proxmox (`name`, unique per VM),
 *   with the owner's label, whether RAM was saved, and its life: `creating` → `present` →
 *   `deleting` → `deleted`, or `failed` when Proxmox refused it.
 * - run kinds `snapshot`, `snapshot_rollback`, `snapshot_delete` (day-2 runs, exactly-once).
 * - `vms.snapshots_unsupported`: why this VM's storage cannot snapshot, as the worker found it
 *   (null: no refusal seen), so the next request is refused at once with the reason.
 */
export async function up(db: AnyDb): Promise<void> {
  await sql`
    ALTER TABLE provisioning_runs DROP CONSTRAINT provisioning_runs_kind_check;
    ALTER TABLE provisioning_runs ADD CONSTRAINT provisioning_runs_kind_check
      CHECK (kind IN ('provision', 'start', 'stop', 'shutdown', 'reboot', 'resize', 'decommission', 'ssh_keys', 'snapshot', 'snapshot_rollback', 'snapshot_delete'));

    ALTER TABLE vms ADD COLUMN snapshots_unsupported text CHECK (length(snapshots_unsupported) <= 1000);

    CREATE TABLE vm_snapshots (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      vm_id uuid NOT NULL REFERENCES vms(id),
      name text NOT NULL CHECK (name ~ '^[a-z][a-z0-9_-]{1,39}$'),
      label text NOT NULL DEFAULT '' CHECK (length(label) <= 200),
      with_ram boolean NOT NULL,
      status text NOT NULL CHECK (status IN ('creating', 'present', 'deleting', 'deleted', 'failed')),
      requested_by uuid REFERENCES users(id),
      failure text CHECK (length(failure) <= 1000),
      created_at timestamptz NOT NULL DEFAULT now(),
      taken_at timestamptz,
      deleted_at timestamptz,
      CHECK (status <> 'present' OR taken_at IS NOT NULL),
      CHECK (status <> 'deleted' OR deleted_at IS NOT NULL)
    );
    CREATE UNIQUE INDEX vm_snapshots_name_uq ON vm_snapshots (vm_id, name);
    CREATE INDEX vm_snapshots_live_idx ON vm_snapshots (vm_id, created_at) WHERE status IN ('creating', 'present', 'deleting');
    CREATE INDEX vm_snapshots_age_idx ON vm_snapshots (taken_at) WHERE status = 'present';
  `.execute(db);
}

/** Drops what `up` created (runs of the new kinds must be gone first). */
export async function down(db: AnyDb): Promise<void> {
  await sql`
    DROP TABLE IF EXISTS vm_snapshots;
    ALTER TABLE vms DROP COLUMN IF EXISTS snapshots_unsupported;
    ALTER TABLE provisioning_runs DROP CONSTRAINT provisioning_runs_kind_check;
    ALTER TABLE provisioning_runs ADD CONSTRAINT provisioning_runs_kind_check
      CHECK (kind IN ('provision', 'start', 'stop', 'shutdown', 'reboot', 'resize', 'decommission', 'ssh_keys'));
  `.execute(db);
}
