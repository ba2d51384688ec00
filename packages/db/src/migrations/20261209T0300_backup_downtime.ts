import { sql, type Kysely } from 'kysely';

// Untyped on purpose: migrations describe history and never import application code.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

/**
 * How long the guest was off or paused for a backup taken in vzdump's `stop` or `suspend` mode
 * (read from the task log when the backup is recorded); null for a snapshot-mode backup, where
 * the guest keeps running.
 */
export async function up(db: AnyDb): Promise<void> {
  await sql`ALTER TABLE vm_backups ADD COLUMN downtime_seconds integer CHECK (downtime_seconds >= 0)`.execute(db);
}

/** Drops what `up` added. */
export async function down(db: AnyDb): Promise<void> {
  await sql`ALTER TABLE vm_backups DROP COLUMN IF EXISTS downtime_seconds`.execute(db);
}
