import { sql, type Kysely } from 'kysely';

// Untyped on purpose: migrations describe history and never import application code.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

/**
 * Test restores: `vm_restore_tests` holds one row per VM and month, claimed before anything is
 * asked of Proxmox — the unique (vm_id, period) is what makes a second sweep or a second worker
 * skip a VM already tested that month. The row is a small state machine the sweep advances
 * (`restore` → `check` → `cleanup` → `done`) with the test VM's vmid recorded before its restore
 * starts, so a killed worker's successor finds and destroys what was made. `outcome` is the
 * verdict (`running` until known); `finished_at` is when the test VM was gone again.
 * `restore_test_reports` remembers which month's report was sent, so it is sent once.
 */
export async function up(db: AnyDb): Promise<void> {
  await sql`
    CREATE TABLE vm_restore_tests (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      vm_id uuid NOT NULL REFERENCES vms(id) ON DELETE CASCADE,
      period text NOT NULL CHECK (period ~ '^[0-9]{4}-(0[1-9]|1[0-2])$'),
      backup_id uuid REFERENCES vm_backups(id) ON DELETE SET NULL,
      volid text CHECK (length(volid) BETWEEN 1 AND 300),
      node text NOT NULL CHECK (length(node) BETWEEN 1 AND 100),
      test_vmid integer CHECK (test_vmid BETWEEN 100 AND 999999999),
      stage text NOT NULL DEFAULT 'restore' CHECK (stage IN ('restore', 'check', 'cleanup', 'done')),
      upid text CHECK (length(upid) BETWEEN 1 AND 300),
      started_at timestamptz NOT NULL DEFAULT now(),
      stage_started_at timestamptz NOT NULL DEFAULT now(),
      verdict_at timestamptz,
      finished_at timestamptz,
      outcome text NOT NULL DEFAULT 'running' CHECK (outcome IN ('running', 'ok', 'failed')),
      checks jsonb,
      error jsonb,
      UNIQUE (vm_id, period),
      CHECK ((outcome = 'running') = (verdict_at IS NULL)),
      CHECK ((stage = 'done') = (finished_at IS NOT NULL)),
      CHECK (stage NOT IN ('cleanup', 'done') OR outcome <> 'running')
    );
    CREATE UNIQUE INDEX vm_restore_tests_active_vmid ON vm_restore_tests (test_vmid) WHERE stage <> 'done';
    CREATE INDEX vm_restore_tests_active_node ON vm_restore_tests (node) WHERE stage <> 'done';
    CREATE INDEX vm_restore_tests_vm ON vm_restore_tests (vm_id, started_at DESC);
    CREATE TABLE restore_test_reports (
      period text PRIMARY KEY CHECK (period ~ '^[0-9]{4}-(0[1-9]|1[0-2])$'),
      sent_at timestamptz NOT NULL DEFAULT now(),
      summary jsonb NOT NULL
    );
  `.execute(db);
}

/** Drops what `up` created. */
export async function down(db: AnyDb): Promise<void> {
  await sql`DROP TABLE IF EXISTS restore_test_reports; DROP TABLE IF EXISTS vm_restore_tests;`.execute(db);
}
