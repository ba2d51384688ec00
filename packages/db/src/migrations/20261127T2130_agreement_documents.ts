import { sql, type Kysely } from 'kysely';

// Untyped on purpose, like every migration (history, not today's types).
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

/**
 * Agreements: the applications each one covers, the exact data it was rendered from (so its
 * hash stays reproducible), a lookup by the original's hash for public verification, and at
 * most one agreement per institution waiting for signatures at a time.
 */
export async function up(db: AnyDb): Promise<void> {
  await sql`
    ALTER TABLE agreements ADD COLUMN document_data jsonb;
    CREATE INDEX agreements_original_sha256_idx ON agreements (original_sha256);
    CREATE INDEX agreements_in_force_term_idx ON agreements (status, term_end);
    CREATE UNIQUE INDEX agreements_one_pending_per_institution_uq ON agreements (institution_id)
      WHERE status IN ('draft', 'awaiting_institution_head', 'awaiting_dc_head');

    CREATE TABLE agreement_applications (
      agreement_id uuid NOT NULL REFERENCES agreements(id),
      application_id uuid NOT NULL REFERENCES applications(id),
      PRIMARY KEY (agreement_id, application_id)
    );
    CREATE INDEX agreement_applications_application_idx ON agreement_applications (application_id);
    CREATE INDEX applications_institution_name_idx ON applications (institution_id, name, id);
  `.execute(db);
}

/** Drops what `up` added. */
export async function down(db: AnyDb): Promise<void> {
  await sql`
    DROP TABLE IF EXISTS agreement_applications;
    DROP INDEX IF EXISTS applications_institution_name_idx;
    DROP INDEX IF EXISTS agreements_one_pending_per_institution_uq;
    DROP INDEX IF EXISTS agreements_in_force_term_idx;
    DROP INDEX IF EXISTS agreements_original_sha256_idx;
    ALTER TABLE agreements DROP COLUMN IF EXISTS document_data;
  `.execute(db);
}
