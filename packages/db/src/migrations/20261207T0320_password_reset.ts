import { sql, type Kysely } from 'kysely';

// Untyped on purpose: migrations describe history and never import application code.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

/**
 * Forgotten passwords and re-enrolment of the second factor:
 * - `password_reset_tokens`: one row per reset link e-mailed, keyed by the SHA-256 of its secret
 *   (the secret itself is never stored), with its expiry and the moment it was used; a link is
 *   accepted once and only before it expires.
 * - `users.totp_enrolment_required`: set when an admin resets a user's TOTP, so that user must
 *   enrol an authenticator again at the next sign-in whatever their role; cleared by enrolling.
 */
export async function up(db: AnyDb): Promise<void> {
  await sql`
    CREATE TABLE password_reset_tokens (
      token_hash text PRIMARY KEY CHECK (length(token_hash) BETWEEN 1 AND 100),
      user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
      created_at timestamptz NOT NULL DEFAULT now(),
      expires_at timestamptz NOT NULL,
      used_at timestamptz,
      CHECK (expires_at > created_at)
    );
    CREATE INDEX password_reset_tokens_user_id ON password_reset_tokens (user_id);
    CREATE INDEX password_reset_tokens_expires_at ON password_reset_tokens (expires_at);

    ALTER TABLE users ADD COLUMN totp_enrolment_required boolean NOT NULL DEFAULT false;
  `.execute(db);
}

/** Drops what `up` created. */
export async function down(db: AnyDb): Promise<void> {
  await sql`
    ALTER TABLE users DROP COLUMN IF EXISTS totp_enrolment_required;
    DROP TABLE IF EXISTS password_reset_tokens;
  `.execute(db);
}
