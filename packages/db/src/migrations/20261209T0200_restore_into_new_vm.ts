import { sql, type Kysely } from 'kysely';

// Untyped on purpose: migrations describe history and never import application code.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

/**
 * A restore into a new VM is a VPS request like any other (its own VM row, vmid, address, quota,
 * approval) whose provisioning restores a backup instead of cloning the template:
 * `vps_requests.restore_from_backup_id` names that backup. Kept after the source VM or its
 * backups are gone (SET NULL would turn a queued restore into a plain clone, so the reference is
 * RESTRICTed: a backup a live request still restores from cannot be deleted from under it).
 */
export async function up(db: AnyDb): Promise<void> {
  await sql`
    ALTER TABLE vps_requests ADD COLUMN restore_from_backup_id uuid REFERENCES vm_backups(id) ON DELETE RESTRICT;
    CREATE INDEX vps_requests_restore_from_backup_idx ON vps_requests (restore_from_backup_id) WHERE restore_from_backup_id IS NOT NULL;
  `.execute(db);
}

/** Drops what `up` created. */
export async function down(db: AnyDb): Promise<void> {
  await sql`ALTER TABLE vps_requests DROP COLUMN IF EXISTS restore_from_backup_id;`.execute(db);
}
