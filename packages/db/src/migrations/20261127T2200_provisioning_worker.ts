import { sql, type Kysely } from 'kysely';

// Untyped on purpose: migrations describe history and never import application code.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

/**
 * Provisioning worker: a heartbeat on runs (the reaper tells a live run from a lost one) and the
 * reconciliation findings operators review (nothing is ever destroyed without their decision).
 */
export async function up(db: AnyDb): Promise<void> {
  await sql`
    ALTER TABLE provisioning_runs ADD COLUMN heartbeat_at timestamptz;
    CREATE INDEX provisioning_runs_running_heartbeat_idx ON provisioning_runs (heartbeat_at) WHERE status = 'running';

    CREATE TABLE reconcile_findings (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      kind text NOT NULL CHECK (kind IN ('orphan_vm', 'stuck_run', 'missing_vm', 'config_drift', 'no_agreement', 'cleanup_pending')),
      fingerprint text NOT NULL CHECK (length(fingerprint) BETWEEN 3 AND 300),
      institution_id uuid REFERENCES institutions(id),
      vm_id uuid REFERENCES vms(id),
      run_id uuid REFERENCES provisioning_runs(id),
      vmid integer,
      node text,
      message_id text NOT NULL,
      message_en text NOT NULL,
      detail jsonb NOT NULL DEFAULT '{}',
      status text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'resolved', 'dismissed')),
      first_seen_at timestamptz NOT NULL DEFAULT now(),
      last_seen_at timestamptz NOT NULL DEFAULT now(),
      resolved_at timestamptz,
      resolved_by uuid REFERENCES users(id),
      CHECK ((status = 'open') = (resolved_at IS NULL))
    );
    CREATE UNIQUE INDEX reconcile_findings_open_uq ON reconcile_findings (fingerprint) WHERE status = 'open';
    CREATE INDEX reconcile_findings_status_idx ON reconcile_findings (status, kind, last_seen_at);
  `.execute(db);
}

/** Drops what `up` created. */
export async function down(db: AnyDb): Promise<void> {
  await sql`
    DROP TABLE IF EXISTS reconcile_findings;
    DROP INDEX IF EXISTS provisioning_runs_running_heartbeat_idx;
    ALTER TABLE provisioning_runs DROP COLUMN IF EXISTS heartbeat_at;
  `.execute(db);
}
