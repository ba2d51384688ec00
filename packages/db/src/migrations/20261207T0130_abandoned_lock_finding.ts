import { sql, type Kysely } from 'kysely';

// Untyped on purpose: migrations describe history and never import application code.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

/**
 * A reconciliation finding for a VM whose config lock no running task holds (a clone or backup
 * worker that died with its node): only root on the node can clear it, so operators are told.
 */
export async function up(db: AnyDb): Promise<void> {
  await sql`
    ALTER TABLE reconcile_findings DROP CONSTRAINT reconcile_findings_kind_check;
    ALTER TABLE reconcile_findings ADD CONSTRAINT reconcile_findings_kind_check
      CHECK (kind IN ('orphan_vm', 'stuck_run', 'missing_vm', 'config_drift', 'no_agreement', 'cleanup_pending', 'abandoned_lock'));
  `.execute(db);
}

export async function down(db: AnyDb): Promise<void> {
  await sql`
    DELETE FROM reconcile_findings WHERE kind = 'abandoned_lock';
    ALTER TABLE reconcile_findings DROP CONSTRAINT reconcile_findings_kind_check;
    ALTER TABLE reconcile_findings ADD CONSTRAINT reconcile_findings_kind_check
      CHECK (kind IN ('orphan_vm', 'stuck_run', 'missing_vm', 'config_drift', 'no_agreement', 'cleanup_pending'));
  `.execute(db);
}
