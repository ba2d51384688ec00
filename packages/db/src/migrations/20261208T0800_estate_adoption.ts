import { sql, type Kysely } from 'kysely';

// Untyped on purpose: migrations describe history and never import application code.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

/**
 * Census and adoption of the VMs a cluster already ran before Betang:
 * - `estate_vms`: the worker's latest census of every VM without Betang's marker (what Proxmox
 *   says: node, name, tags, notes, sizes, power, addresses with their source), plus the
 *   operator's decisions on its conflicts;
 * - `adoptions`: which VM was taken in, under which institution and application, by whom, and
 *   when (and whether) it was released again;
 * - `vps_requests.origin`: an adopted VM's request row was never asked for: it has no template and
 *   no SSH keys Betang knows of, but counts against quota and ceiling like any other;
 * - run kinds `adopt` (write the ownership marker) and `release` (remove it).
 */
export async function up(db: AnyDb): Promise<void> {
  await sql`
    CREATE TABLE estate_vms (
      vmid integer PRIMARY KEY CHECK (vmid BETWEEN 100 AND 999999999),
      node text NOT NULL,
      name text,
      tags text[] NOT NULL DEFAULT '{}',
      notes text,
      cores integer NOT NULL DEFAULT 1,
      memory_mib integer NOT NULL DEFAULT 0,
      disk_gib integer NOT NULL DEFAULT 0,
      power text NOT NULL,
      agent boolean NOT NULL DEFAULT false,
      addresses jsonb NOT NULL DEFAULT '[]',
      mac_address text,
      smbios_uuid text,
      in_betang_range boolean NOT NULL DEFAULT false,
      lock text,
      observed_at timestamptz NOT NULL,
      decisions jsonb NOT NULL DEFAULT '{}',
      decided_by uuid REFERENCES users(id),
      decided_at timestamptz
    );

    CREATE TABLE adoptions (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      vm_id uuid NOT NULL REFERENCES vms(id),
      request_id uuid NOT NULL REFERENCES vps_requests(id),
      vmid integer NOT NULL,
      institution_id uuid NOT NULL REFERENCES institutions(id),
      application_id uuid NOT NULL REFERENCES applications(id),
      addresses jsonb NOT NULL DEFAULT '[]',
      proposal_reason text,
      adopted_by uuid NOT NULL REFERENCES users(id),
      adopted_at timestamptz NOT NULL DEFAULT now(),
      released_by uuid REFERENCES users(id),
      released_at timestamptz,
      release_reason text
    );
    CREATE UNIQUE INDEX adoptions_live_vmid_uq ON adoptions (vmid) WHERE released_at IS NULL;
    CREATE UNIQUE INDEX adoptions_vm_uq ON adoptions (vm_id);
    CREATE INDEX adoptions_institution_idx ON adoptions (institution_id, adopted_at);

    ALTER TABLE vps_requests ADD COLUMN origin text NOT NULL DEFAULT 'request' CHECK (origin IN ('request', 'adopted'));
    ALTER TABLE vps_requests ALTER COLUMN template_id DROP NOT NULL;
    ALTER TABLE vps_requests ADD CONSTRAINT vps_requests_template_unless_adopted CHECK (template_id IS NOT NULL OR origin = 'adopted');
    ALTER TABLE vps_requests DROP CONSTRAINT vps_requests_ssh_public_keys_check;
    ALTER TABLE vps_requests ADD CONSTRAINT vps_requests_ssh_public_keys_check
      CHECK (cardinality(ssh_public_keys) <= 20 AND (cardinality(ssh_public_keys) >= 1 OR origin = 'adopted'));

    ALTER TABLE provisioning_runs DROP CONSTRAINT provisioning_runs_kind_check;
    ALTER TABLE provisioning_runs ADD CONSTRAINT provisioning_runs_kind_check
      CHECK (kind IN ('provision', 'start', 'stop', 'shutdown', 'reboot', 'resize', 'decommission', 'ssh_keys', 'snapshot', 'snapshot_rollback', 'snapshot_delete', 'console_password', 'restore', 'adopt', 'release'));
  `.execute(db);
}

/** Drops the census, the adoptions and their runs (adopted requests and VMs go with them). */
export async function down(db: AnyDb): Promise<void> {
  await sql`
    DELETE FROM run_steps WHERE run_id IN (SELECT id FROM provisioning_runs WHERE kind IN ('adopt', 'release'));
    DELETE FROM provisioning_runs WHERE kind IN ('adopt', 'release');
    ALTER TABLE provisioning_runs DROP CONSTRAINT provisioning_runs_kind_check;
    ALTER TABLE provisioning_runs ADD CONSTRAINT provisioning_runs_kind_check
      CHECK (kind IN ('provision', 'start', 'stop', 'shutdown', 'reboot', 'resize', 'decommission', 'ssh_keys', 'snapshot', 'snapshot_rollback', 'snapshot_delete', 'console_password', 'restore'));
    DROP TABLE adoptions;
    DROP TABLE estate_vms;
    DELETE FROM ip_allocations WHERE request_id IN (SELECT id FROM vps_requests WHERE origin = 'adopted');
    DELETE FROM request_events WHERE request_id IN (SELECT id FROM vps_requests WHERE origin = 'adopted');
    DELETE FROM provisioning_runs WHERE request_id IN (SELECT id FROM vps_requests WHERE origin = 'adopted');
    DELETE FROM vms WHERE request_id IN (SELECT id FROM vps_requests WHERE origin = 'adopted');
    DELETE FROM vps_requests WHERE origin = 'adopted';
    ALTER TABLE vps_requests DROP CONSTRAINT vps_requests_ssh_public_keys_check;
    ALTER TABLE vps_requests ADD CONSTRAINT vps_requests_ssh_public_keys_check CHECK (cardinality(ssh_public_keys) BETWEEN 1 AND 20);
    ALTER TABLE vps_requests DROP CONSTRAINT vps_requests_template_unless_adopted;
    ALTER TABLE vps_requests ALTER COLUMN template_id SET NOT NULL;
    ALTER TABLE vps_requests DROP COLUMN origin;
  `.execute(db);
}
