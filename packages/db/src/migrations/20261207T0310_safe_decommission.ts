import { sql, type Kysely } from 'kysely';

// Untyped on purpose: migrations describe history and never import application code.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

/**
 * Safe decommission: a decommissioned VM is first `retained` (stopped, kept, restorable) until
 * `retained_until`, and only then destroyed; a decommission of an application in a protected
 * class waits for the institution head in `vm_decommissions` (one awaiting row per VM).
 */
export async function up(db: AnyDb): Promise<void> {
  await sql`
    ALTER TABLE vms DROP CONSTRAINT vms_state_check;
    ALTER TABLE vms ADD CONSTRAINT vms_state_check
      CHECK (state IN ('reserved', 'provisioning', 'running', 'stopped', 'retained', 'decommissioning', 'decommissioned', 'missing', 'failed'));
    ALTER TABLE vms ADD COLUMN retained_until timestamptz;
    ALTER TABLE vms ADD CONSTRAINT vms_retained_until_check CHECK (state <> 'retained' OR retained_until IS NOT NULL);
    CREATE INDEX vms_retained_idx ON vms (retained_until) WHERE state = 'retained';

    ALTER TABLE vps_requests DROP CONSTRAINT vps_requests_status_check;
    ALTER TABLE vps_requests ADD CONSTRAINT vps_requests_status_check
      CHECK (status IN ('draft', 'submitted', 'partially_approved', 'approved', 'queued', 'provisioning', 'active', 'stopped', 'expiring', 'retained', 'decommissioning', 'decommissioned', 'rejected', 'cancelled', 'failed'));

    CREATE TABLE vm_decommissions (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      vm_id uuid NOT NULL REFERENCES vms(id),
      request_id uuid NOT NULL REFERENCES vps_requests(id),
      institution_id uuid NOT NULL REFERENCES institutions(id),
      requested_by uuid NOT NULL REFERENCES users(id),
      reason text NOT NULL CHECK (length(reason) BETWEEN 1 AND 500),
      status text NOT NULL CHECK (status IN ('awaiting_approval', 'approved', 'rejected')),
      decided_by uuid REFERENCES users(id),
      decided_at timestamptz,
      decision_note text CHECK (length(decision_note) <= 500),
      created_at timestamptz NOT NULL DEFAULT now(),
      CHECK ((status = 'awaiting_approval') = (decided_at IS NULL))
    );
    CREATE UNIQUE INDEX vm_decommissions_awaiting_uq ON vm_decommissions (vm_id) WHERE status = 'awaiting_approval';
    CREATE INDEX vm_decommissions_vm_idx ON vm_decommissions (vm_id, created_at DESC);
    CREATE INDEX vm_decommissions_institution_idx ON vm_decommissions (institution_id) WHERE status = 'awaiting_approval';
  `.execute(db);
}

export async function down(db: AnyDb): Promise<void> {
  await sql`
    DROP TABLE vm_decommissions;
    ALTER TABLE vps_requests DROP CONSTRAINT vps_requests_status_check;
    ALTER TABLE vps_requests ADD CONSTRAINT vps_requests_status_check
      CHECK (status IN ('draft', 'submitted', 'partially_approved', 'approved', 'queued', 'provisioning', 'active', 'stopped', 'expiring', 'decommissioning', 'decommissioned', 'rejected', 'cancelled', 'failed'));
    DROP INDEX vms_retained_idx;
    ALTER TABLE vms DROP CONSTRAINT vms_retained_until_check;
    ALTER TABLE vms DROP COLUMN retained_until;
    ALTER TABLE vms DROP CONSTRAINT vms_state_check;
    ALTER TABLE vms ADD CONSTRAINT vms_state_check
      CHECK (state IN ('reserved', 'provisioning', 'running', 'stopped', 'decommissioning', 'decommissioned', 'missing', 'failed'));
  `.execute(db);
}
