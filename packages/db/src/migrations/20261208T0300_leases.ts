import { sql, type Kysely } from 'kysely';

// Untyped on purpose: migrations describe history and never import application code.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

/**
 * Leases: every VM names the agreement that covers it (`vms.agreement_id`, set at provisioning
 * and moved when a renewal comes into force), and a renewal names the agreement it continues
 * (`agreements.renews_agreement_id`, at most one successor each).
 *
 * `vm_leases` holds the stored state machine of a VM whose agreement ended without a successor:
 * `grace` until `grace_until`, then `final_backup` while the kept backup is taken, `stopped`
 * (destroyed on `destroy_on`, null once an operator cancelled it) and finally `destroying`.
 * A VM without a row is covered. The lease sweep moves rows one step per transaction, so a
 * second sweep finds nothing left to do.
 *
 * `vm_backups.kept`: a backup taken to be kept beyond retention (the final backup before a
 * lease stop); it is also protected on the storage, so Proxmox's pruning never removes it. A
 * kept and a scheduled backup may share a day, hence the wider unique key.
 */
export async function up(db: AnyDb): Promise<void> {
  await sql`
    ALTER TABLE vms ADD COLUMN agreement_id uuid REFERENCES agreements(id);
    CREATE INDEX vms_agreement ON vms (agreement_id);
    ALTER TABLE agreements ADD COLUMN renews_agreement_id uuid REFERENCES agreements(id);
    CREATE UNIQUE INDEX agreements_one_renewal_uq ON agreements (renews_agreement_id)
      WHERE renews_agreement_id IS NOT NULL AND status <> 'revoked';

    -- A VM built before leases were recorded is covered by its institution's agreement that ends last.
    UPDATE vms SET agreement_id = (
      SELECT a.id FROM agreements a
      WHERE a.institution_id = vms.institution_id AND a.status IN ('in_force', 'expired')
      ORDER BY a.term_end DESC, a.created_at DESC LIMIT 1
    )
    WHERE state NOT IN ('decommissioned', 'failed');

    ALTER TABLE vm_backups ADD COLUMN kept boolean NOT NULL DEFAULT false;
    ALTER TABLE vm_backups DROP CONSTRAINT vm_backups_vm_id_backup_date_key;
    ALTER TABLE vm_backups ADD CONSTRAINT vm_backups_vm_day_kept_key UNIQUE (vm_id, backup_date, kept);

    CREATE TABLE vm_leases (
      vm_id uuid PRIMARY KEY REFERENCES vms(id) ON DELETE CASCADE,
      agreement_id uuid NOT NULL REFERENCES agreements(id),
      state text NOT NULL CHECK (state IN ('grace', 'final_backup', 'stopped', 'destroying')),
      ended_on date NOT NULL,
      grace_until date NOT NULL,
      destroy_on date,
      backup_id uuid REFERENCES vm_backups(id) ON DELETE SET NULL,
      stop_run_id uuid REFERENCES provisioning_runs(id) ON DELETE SET NULL,
      destroy_run_id uuid REFERENCES provisioning_runs(id) ON DELETE SET NULL,
      stopped_on date,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      CHECK (grace_until >= ended_on),
      CHECK (state <> 'stopped' OR stopped_on IS NOT NULL)
    );
    CREATE INDEX vm_leases_agreement ON vm_leases (agreement_id);
  `.execute(db);
}

/** Drops what `up` created (kept backups become ordinary rows; a day with both keeps the scheduled one). */
export async function down(db: AnyDb): Promise<void> {
  await sql`
    DROP TABLE IF EXISTS vm_leases;
    DELETE FROM vm_backups WHERE kept;
    ALTER TABLE vm_backups DROP CONSTRAINT IF EXISTS vm_backups_vm_day_kept_key;
    ALTER TABLE vm_backups ADD CONSTRAINT vm_backups_vm_id_backup_date_key UNIQUE (vm_id, backup_date);
    ALTER TABLE vm_backups DROP COLUMN IF EXISTS kept;
    DROP INDEX IF EXISTS agreements_one_renewal_uq;
    ALTER TABLE agreements DROP COLUMN IF EXISTS renews_agreement_id;
    ALTER TABLE vms DROP COLUMN IF EXISTS agreement_id;
  `.execute(db);
}
