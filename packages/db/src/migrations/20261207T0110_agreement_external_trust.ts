import { sql, type Kysely } from 'kysely';

// Untyped on purpose: migrations describe history and never import application code.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

/**
 * Externally signed agreements that no configured trust root vouches for:
 * - `agreement_pending_documents`: at most one uploaded, verified PDF per agreement waiting for an
 *   operator's decision, with the document hash it extends (`base_sha256`) so an acceptance after
 *   the agreement moved on is refused, and the signers as found in the file;
 * - `agreement_signatures.accepted_by`: the operator who accepted an external document on the
 *   office's behalf (null for signatures Betang made or a trust root vouched for).
 */
export async function up(db: AnyDb): Promise<void> {
  await sql`
    CREATE TABLE agreement_pending_documents (
      agreement_id uuid PRIMARY KEY REFERENCES agreements(id) ON DELETE CASCADE,
      document bytea NOT NULL,
      sha256 text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
      base_sha256 text NOT NULL CHECK (base_sha256 ~ '^[0-9a-f]{64}$'),
      signers jsonb NOT NULL,
      uploaded_by uuid REFERENCES users(id) ON DELETE SET NULL,
      uploaded_at timestamptz NOT NULL DEFAULT now()
    );
    ALTER TABLE agreement_signatures ADD COLUMN accepted_by uuid REFERENCES users(id);
  `.execute(db);
}

/** Drops what `up` created (pending uploads are lost). */
export async function down(db: AnyDb): Promise<void> {
  await sql`
    ALTER TABLE agreement_signatures DROP COLUMN accepted_by;
    DROP TABLE agreement_pending_documents;
  `.execute(db);
}
