import { sql, type Kysely } from 'kysely';

// Untyped on purpose: migrations describe history and never import application code.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

/**
 * Per-node copies of a catalog template (clusters on local storage cannot clone a template to
 * another node), and the vmids Betang's VMs held before they were destroyed: PBS keys backup
 * groups by vmid, so an id is not handed out again for a while. A trigger records the retirement
 * whenever a VM row ends (decommissioned or failed), whichever code path ends it. The VM's SMBIOS
 * uuid (fresh per clone, untouched by edits of Notes or tags) proves ownership together with the
 * vmid when an operator removed Betang's marker; reconciliation reports such VMs as
 * `marker_removed`.
 */
export async function up(db: AnyDb): Promise<void> {
  await sql`
    CREATE TABLE catalog_template_nodes (
      template_id text NOT NULL REFERENCES catalog_templates(id) ON DELETE CASCADE,
      node text NOT NULL CHECK (node ~ '^[a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?$'),
      pve_template_vmid integer NOT NULL UNIQUE CHECK (pve_template_vmid BETWEEN 100 AND 999999999),
      storage text CHECK (storage ~ '^[a-zA-Z][a-zA-Z0-9._-]*$'),
      PRIMARY KEY (template_id, node)
    );

    CREATE TABLE retired_vmids (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      vmid integer NOT NULL CHECK (vmid BETWEEN 100 AND 999999999),
      node text,
      vm_id uuid REFERENCES vms(id),
      retired_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX retired_vmids_vmid_idx ON retired_vmids (vmid, retired_at);

    CREATE FUNCTION retire_vmid_of_ended_vm() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      INSERT INTO retired_vmids (vmid, node, vm_id) VALUES (NEW.vmid, NEW.node, NEW.id);
      RETURN NEW;
    END $$;
    CREATE TRIGGER vms_retire_vmid AFTER UPDATE OF state ON vms FOR EACH ROW
      WHEN (NEW.state IN ('decommissioned', 'failed') AND OLD.state IS DISTINCT FROM NEW.state AND NEW.vmid IS NOT NULL)
      EXECUTE FUNCTION retire_vmid_of_ended_vm();

    ALTER TABLE vms ADD COLUMN smbios_uuid uuid;

    ALTER TABLE reconcile_findings DROP CONSTRAINT reconcile_findings_kind_check;
    ALTER TABLE reconcile_findings ADD CONSTRAINT reconcile_findings_kind_check
      CHECK (kind IN ('orphan_vm', 'stuck_run', 'missing_vm', 'config_drift', 'no_agreement', 'cleanup_pending', 'abandoned_lock', 'marker_removed'));
  `.execute(db);
}

export async function down(db: AnyDb): Promise<void> {
  await sql`
    DELETE FROM reconcile_findings WHERE kind = 'marker_removed';
    ALTER TABLE reconcile_findings DROP CONSTRAINT reconcile_findings_kind_check;
    ALTER TABLE reconcile_findings ADD CONSTRAINT reconcile_findings_kind_check
      CHECK (kind IN ('orphan_vm', 'stuck_run', 'missing_vm', 'config_drift', 'no_agreement', 'cleanup_pending', 'abandoned_lock'));
    ALTER TABLE vms DROP COLUMN smbios_uuid;
    DROP TRIGGER vms_retire_vmid ON vms;
    DROP FUNCTION retire_vmid_of_ended_vm();
    DROP TABLE retired_vmids;
    DROP TABLE catalog_template_nodes;
  `.execute(db);
}
