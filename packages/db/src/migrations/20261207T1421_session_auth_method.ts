import { sql, type Kysely } from 'kysely';

// Untyped on purpose: migrations describe history and never import application code.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

/**
 * How a session was opened: `password` (Betang's password, and its TOTP when the user has one) or
 * `oidc` (the identity provider authenticated the person; Betang's TOTP is not asked, so a session
 * of this kind is not restricted to TOTP enrolment either). Existing sessions are password ones.
 */
export async function up(db: AnyDb): Promise<void> {
  await sql`
    ALTER TABLE sessions ADD COLUMN auth_method text NOT NULL DEFAULT 'password' CHECK (auth_method IN ('password', 'oidc'));
  `.execute(db);
}

/** Drops what `up` added. */
export async function down(db: AnyDb): Promise<void> {
  await sql`ALTER TABLE sessions DROP COLUMN IF EXISTS auth_method;`.execute(db);
}
