import { sql, type Kysely } from 'kysely';

// Untyped on purpose: migrations describe history and never import application code.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

/**
 * A request may hold several pool addresses: an adopted VM keeps every pooled address it already
 * uses, so no other VM is handed one of them. `ip_allocations.is_primary` marks the address Betang
 * configures, shows and connects to; only that one is unique per request. Existing rows are the
 * only held row of their request, so they all become primary.
 */
export async function up(db: AnyDb): Promise<void> {
  await sql`
    ALTER TABLE ip_allocations ADD COLUMN is_primary boolean NOT NULL DEFAULT true;
    DROP INDEX ip_allocations_one_per_request_uq;
    CREATE UNIQUE INDEX ip_allocations_one_primary_per_request_uq ON ip_allocations (request_id)
      WHERE released_at IS NULL AND is_primary;
  `.execute(db);
}

/** Drops what `up` created; extra held addresses are released first so the old index holds. */
export async function down(db: AnyDb): Promise<void> {
  await sql`
    UPDATE ip_allocations SET released_at = now(), release_reason = 'migration down: one address per request'
      WHERE released_at IS NULL AND NOT is_primary;
    DROP INDEX IF EXISTS ip_allocations_one_primary_per_request_uq;
    ALTER TABLE ip_allocations DROP COLUMN IF EXISTS is_primary;
    CREATE UNIQUE INDEX ip_allocations_one_per_request_uq ON ip_allocations (request_id) WHERE released_at IS NULL;
  `.execute(db);
}
