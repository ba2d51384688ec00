import { sql, type Kysely } from 'kysely';

// Untyped on purpose: migrations describe history and never import application code.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

/**
 * Scheduled backups: `vm_backups` holds one row per VM and backup day (the WIB date its window
 * opens), claimed before vzdump starts — the unique (vm_id, backup_date) is what makes a second
 * sweep, or a second worker, skip a VM already backed up or being backed up that day. A row stays
 * `running` while its vzdump runs; then `ok` with the archive's volid, size and duration, or
 * `failed` with the bilingual reason operators were told.
 */
export async function up(db: AnyDb): Promise<void> {
  await sql`
    CREATE TABLE vm_backups (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      vm_id uuid NOT NULL REFERENCES vms(id) ON DELETE CASCADE,
      backup_date date NOT NULL,
      node text NOT NULL CHECK (length(node) BETWEEN 1 AND 100),
      vmid integer NOT NULL CHECK (vmid BETWEEN 100 AND 999999999),
      storage text NOT NULL CHECK (length(storage) BETWEEN 1 AND 100),
      started_at timestamptz NOT NULL DEFAULT now(),
      finished_at timestamptz,
      duration_seconds integer CHECK (duration_seconds >= 0),
      size_bytes bigint CHECK (size_bytes >= 0),
      volid text CHECK (length(volid) BETWEEN 1 AND 300),
      upid text CHECK (length(upid) BETWEEN 1 AND 300),
      outcome text NOT NULL DEFAULT 'running' CHECK (outcome IN ('running', 'ok', 'failed')),
      error jsonb,
      UNIQUE (vm_id, backup_date),
      CHECK ((outcome = 'running') = (finished_at IS NULL)),
      CHECK (outcome <> 'ok' OR volid IS NOT NULL)
    );
    CREATE INDEX vm_backups_vm_started ON vm_backups (vm_id, started_at DESC);
    CREATE INDEX vm_backups_running_node ON vm_backups (node) WHERE outcome = 'running';
  `.execute(db);
}

/** Drops what `up` created. */
export async function down(db: AnyDb): Promise<void> {
  await sql`DROP TABLE IF EXISTS vm_backups;`.execute(db);
}
