import { sql, type Kysely } from 'kysely';

// Untyped on purpose: migrations describe history and never import application code.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

/**
 * A resize is a pending change that goes through approval (docs/decisions/resize-approval.md):
 * its run row waits in `awaiting_approval` until the approval policy is satisfied, and its
 * decisions are approvals rows that name the run. One pending change per request at a time;
 * decisions on the request itself and on each change are unique per person and level.
 */
export async function up(db: AnyDb): Promise<void> {
  await sql`
    ALTER TABLE provisioning_runs DROP CONSTRAINT provisioning_runs_status_check;
    ALTER TABLE provisioning_runs ADD CONSTRAINT provisioning_runs_status_check
      CHECK (status IN ('awaiting_approval', 'queued', 'running', 'succeeded', 'failed', 'cancelled'));
    CREATE UNIQUE INDEX provisioning_runs_one_pending_change_per_request_uq ON provisioning_runs (request_id)
      WHERE status = 'awaiting_approval';

    ALTER TABLE approvals ADD COLUMN run_id uuid REFERENCES provisioning_runs(id);
    ALTER TABLE approvals DROP CONSTRAINT approvals_request_id_level_decided_by_key;
    CREATE UNIQUE INDEX approvals_request_decision_uq ON approvals (request_id, level, decided_by) WHERE run_id IS NULL;
    CREATE UNIQUE INDEX approvals_change_decision_uq ON approvals (run_id, level, decided_by) WHERE run_id IS NOT NULL;
  `.execute(db);
}

/** Drops what `up` created (pending changes are cancelled first so the old check holds). */
export async function down(db: AnyDb): Promise<void> {
  await sql`
    DROP INDEX IF EXISTS approvals_change_decision_uq;
    DROP INDEX IF EXISTS approvals_request_decision_uq;
    DELETE FROM approvals WHERE run_id IS NOT NULL;
    ALTER TABLE approvals DROP COLUMN IF EXISTS run_id;
    ALTER TABLE approvals ADD CONSTRAINT approvals_request_id_level_decided_by_key UNIQUE (request_id, level, decided_by);
    DROP INDEX IF EXISTS provisioning_runs_one_pending_change_per_request_uq;
    UPDATE provisioning_runs SET status = 'cancelled' WHERE status = 'awaiting_approval';
    ALTER TABLE provisioning_runs DROP CONSTRAINT provisioning_runs_status_check;
    ALTER TABLE provisioning_runs ADD CONSTRAINT provisioning_runs_status_check
      CHECK (status IN ('queued', 'running', 'succeeded', 'failed', 'cancelled'));
  `.execute(db);
}
