import { sql, type Kysely } from 'kysely';

// Untyped on purpose: migrations describe history and never import application code.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

/**
 * Indexes for the filtered, keyset-paged lists (requests, VMs, audit log): each list orders by
 * (created_at, id) or by id, so an index that starts with the filter column and ends with the order
 * lets PostgreSQL read one page without sorting the table. They are ascending: PostgreSQL reads a
 * btree backwards for the newest-first lists just as fast, and a read without ORDER BY that uses
 * one still meets rows oldest first, as a table scan does. Free-text filters (ILIKE '%…%') stay
 * sequential scans: at 10,000 VMs they cost a few milliseconds (docs/benchmarks.md), and pg_trgm is
 * not available in the embedded database.
 */
export async function up(db: AnyDb): Promise<void> {
  await sql`
    CREATE INDEX vps_requests_page_idx ON vps_requests (created_at, id);
    CREATE INDEX vps_requests_institution_page_idx ON vps_requests (institution_id, created_at, id);
    CREATE INDEX vps_requests_status_page_idx ON vps_requests (status, created_at, id);
    CREATE INDEX vms_page_idx ON vms (created_at, id);
    CREATE INDEX vms_institution_page_idx ON vms (institution_id, created_at, id);
    CREATE INDEX vms_node_idx ON vms (node);
    CREATE INDEX vms_vmid_idx ON vms (vmid);
    CREATE INDEX audit_log_institution_id_idx ON audit_log (institution_id, id);
    CREATE INDEX audit_log_actor_idx ON audit_log (actor_user_id, id);
    CREATE INDEX audit_log_action_idx ON audit_log (action, id);
    CREATE INDEX audit_log_at_idx ON audit_log (at);
  `.execute(db);
}

/** Drops the indexes (the lists still work, slower). */
export async function down(db: AnyDb): Promise<void> {
  await sql`
    DROP INDEX vps_requests_page_idx;
    DROP INDEX vps_requests_institution_page_idx;
    DROP INDEX vps_requests_status_page_idx;
    DROP INDEX vms_page_idx;
    DROP INDEX vms_institution_page_idx;
    DROP INDEX vms_node_idx;
    DROP INDEX vms_vmid_idx;
    DROP INDEX audit_log_institution_id_idx;
    DROP INDEX audit_log_actor_idx;
    DROP INDEX audit_log_action_idx;
    DROP INDEX audit_log_at_idx;
  `.execute(db);
}
