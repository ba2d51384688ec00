import { sql, type Kysely } from 'kysely';

// Untyped on purpose: migrations describe history and never import application code.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

/**
 * The responsible person (PIC, penanggung jawab) of each VM: `vms.pic_user_id`, a user of the
 * VM's institution. Nullable on purpose: a VM may have nobody yet, and the user a VM names stays
 * named after they leave (deactivated, moved, lost their role) so the institution head sees whose
 * VMs need a new PIC. Whether a PIC still qualifies is computed from the user row at read time,
 * never stored, so no path that changes a user can leave a stale flag behind.
 *
 * Backfill: the active institution user whose e-mail is the request's contact e-mail, else the
 * requester when they belong to the VM's institution, else nobody (the VM is listed as needing one).
 */
export async function up(db: AnyDb): Promise<void> {
  await sql`
    ALTER TABLE vms ADD COLUMN pic_user_id uuid REFERENCES users(id) ON DELETE SET NULL;
    CREATE INDEX vms_pic_user_idx ON vms (pic_user_id) WHERE pic_user_id IS NOT NULL;

    UPDATE vms SET pic_user_id = coalesce(
      (SELECT u.id FROM users u JOIN vps_requests r ON r.id = vms.request_id
        WHERE u.institution_id = vms.institution_id AND u.is_active
          AND lower(u.email) = lower(r.contact->>'email')
        ORDER BY u.created_at LIMIT 1),
      (SELECT u.id FROM users u JOIN vps_requests r ON r.id = vms.request_id
        WHERE u.id = r.requested_by AND u.institution_id = vms.institution_id)
    );
  `.execute(db);
}

/** Drops what `up` created. */
export async function down(db: AnyDb): Promise<void> {
  await sql`ALTER TABLE vms DROP COLUMN IF EXISTS pic_user_id;`.execute(db);
}
